"""runbook: follow the incident-response runbook from the terminal."""

__version__ = "0.1.0"
