"""The pipeline's steps, one module each: a function that builds the step from what it needs, returning the function
the runner calls with a request's batch. `gateway.pipeline.Pipeline` lists them in order."""
