"""runbook: follow the incident-response runbook from the terminal."""

__version__ = "0.2.0"
ACTION_REPOSITORY = "runbook-cli/runbook"
"""Where this tool's GitHub Action lives; `runbook init` pins workflows to it by version."""
