"""Turning incidents into text for people: the terminal, templates, JSON views, reports."""
