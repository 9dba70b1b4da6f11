"""What the commands do: each use case opens a workspace, applies the rules and writes
through the adapters."""
