"""One module per page group: fetch from the services, render a template, nothing else."""
