"""One blueprint per resource: uploads, jobs, health."""
