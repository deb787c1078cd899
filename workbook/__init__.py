"""The FastAPI Backend Workbook engine: lesson discovery, the pytest plugin and the CLI."""
