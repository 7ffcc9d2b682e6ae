"""Running the service: the web, worker and serve commands, deployment checks, the periodic
schedule and its in-process runner, and the health endpoint."""
