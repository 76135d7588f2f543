"""Direct tests of single modules: the task service, URLs, settings, the token cache."""
