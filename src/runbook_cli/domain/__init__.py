"""Pure rules and the model: what an incident is and what the runbook requires.

No files, git or network."""
