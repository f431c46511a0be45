"""The Progressive Web App and the composition root (CLI, app factory)."""
