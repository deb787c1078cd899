"""The application: run it with `workbook serve 2` and open http://127.0.0.1:8000/docs."""

from fastapi import FastAPI

from app import tasks

app = FastAPI(title="Task tracker", version="0.1.0")
app.include_router(tasks.router)
