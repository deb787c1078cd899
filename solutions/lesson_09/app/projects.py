"""The /projects resource: create a project (with the tasks it starts with), read and list them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.errors import ProjectNotFound
from app.models import Project
from app.problems import problem_responses
from app.schemas import ProjectCreate, ProjectPublic
from app.auth import CurrentUser, Reader, Writer
from app.cache import CacheDep
from app.dashboard import invalidate_dashboards
from app.db import SessionDep
from app.store import ProjectStore

router = APIRouter(prefix="/projects", tags=["projects"], responses=problem_responses(422))

MAX_LIMIT = 100


def project_store(session: SessionDep, user: CurrentUser) -> ProjectStore:
    """The projects the current user may see (app/access.py); what they create is theirs."""
    return ProjectStore(session, user)


ProjectStoreDep = Annotated[ProjectStore, Depends(project_store)]


@router.get("", response_model=list[ProjectPublic])
def list_projects(
    store: ProjectStoreDep, user: Reader, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20
) -> list[Project]:
    return store.list(limit=limit)


@router.get("/{project_id}", response_model=ProjectPublic, responses=problem_responses(404))
def get_project(project_id: int, store: ProjectStoreDep, user: Reader) -> Project:
    project = store.get(project_id)
    if project is None:
        raise ProjectNotFound(project_id)
    return project


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectPublic,
    responses=problem_responses(409),
)
def create_project(
    data: ProjectCreate,
    request: Request,
    response: Response,
    store: ProjectStoreDep,
    user: Writer,
    cache: CacheDep,
) -> Project:
    project = store.create(data, created_by_ip=request.client.host if request.client else None)
    ### BEGIN SOLUTION
    invalidate_dashboards(cache)  # a new project (and its tasks) is on its owner's dashboard
    ### END SOLUTION
    response.headers["Location"] = str(request.url_for("get_project", project_id=project.id))
    return project
