"""Federation with partner centers: agreements, change feeds, sync jobs, request signing."""
