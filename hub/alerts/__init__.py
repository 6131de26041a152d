"""Alerts: lifecycle, targeting, dispatch, rendering, CAP 1.2, channels, escalation."""
