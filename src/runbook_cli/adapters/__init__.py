"""The edges: incident files on disk, git, the lock, HTTP, caches and worker processes."""
