"""Tests of the deployment artefacts: the Helm chart and its values."""
