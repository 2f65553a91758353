"""The caller's own account (what the console's /ajustes does): profile, password, alert
preferences and API tokens. Only a user's API token has a user; the admin JWT is nobody's."""

from fastapi import APIRouter, Depends, HTTPException, Response

from cabanas.v1 import accounts_pb2
from gateway import schemas, views
from gateway.deps import AdminDep, ClientsDep, require_admin, requires
from gateway.routes import API_PREFIX
from services.common.roles import Action

router = APIRouter(
    prefix=f"{API_PREFIX}/admin/me",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses=schemas.errors(401, 403, 409, *schemas.UPSTREAM),
)
SETTINGS = [Depends(requires(Action.SETTINGS))]


def _user_id(admin: AdminDep) -> int:
    if not admin.user_id:
        raise HTTPException(409, "The admin token belongs to no user: use a user's API token.")
    return admin.user_id


@router.get("")
async def me(admin: AdminDep, clients: ClientsDep) -> schemas.UserOut:
    return views.user(await clients.accounts.GetUser(accounts_pb2.GetUserRequest(id=_user_id(admin))))


@router.patch("", responses=schemas.errors(400))
async def update_me(body: schemas.MePatch, admin: AdminDep, clients: ClientsDep) -> schemas.UserOut:
    fields = body.model_dump(exclude_unset=True, exclude_none=True)
    request = accounts_pb2.UpdateUserRequest(
        id=_user_id(admin), user=accounts_pb2.User(**fields), update_mask={"paths": list(fields)}
    )
    return views.user(await clients.accounts.UpdateUser(request))


@router.post("/password", status_code=204, responses=schemas.errors(400))
async def change_password(body: schemas.PasswordIn, admin: AdminDep, clients: ClientsDep) -> Response:
    """422 `weak_password`; 401 when the current password is wrong. Every session of the user ends."""
    await clients.accounts.SetPassword(
        accounts_pb2.SetPasswordRequest(
            user_id=_user_id(admin), password=body.password, current_password=body.current_password
        )
    )
    return Response(status_code=204)


@router.get("/notifications", dependencies=SETTINGS)
async def notifications(admin: AdminDep, clients: ClientsDep) -> schemas.NotificationsIO:
    user = await clients.accounts.GetUser(accounts_pb2.GetUserRequest(id=_user_id(admin)))
    return views.notifications(user.notifications)


@router.put("/notifications", dependencies=SETTINGS, responses=schemas.errors(400))
async def set_notifications(
    body: schemas.NotificationsIO, admin: AdminDep, clients: ClientsDep
) -> schemas.NotificationsIO:
    request = accounts_pb2.UpdateUserRequest(
        id=_user_id(admin),
        user=accounts_pb2.User(notifications=views.notifications_pb(body)),
        update_mask={"paths": ["notifications"]},
    )
    return views.notifications((await clients.accounts.UpdateUser(request)).notifications)


@router.get("/tokens", dependencies=SETTINGS)
async def tokens(admin: AdminDep, clients: ClientsDep) -> list[schemas.ApiTokenOut]:
    reply = await clients.accounts.ListApiTokens(accounts_pb2.ListApiTokensRequest(user_id=_user_id(admin)))
    return [views.api_token(t) for t in reply.tokens]


@router.post("/tokens", status_code=201, dependencies=SETTINGS, responses=schemas.errors(400))
async def create_token(body: schemas.ApiTokenIn, admin: AdminDep, clients: ClientsDep) -> schemas.ApiTokenOut:
    """The answer carries the token's secret: the only time it is shown."""
    created = await clients.accounts.CreateApiToken(
        accounts_pb2.CreateApiTokenRequest(user_id=_user_id(admin), name=body.name)
    )
    return views.api_token(created.token, created.secret)


@router.delete("/tokens/{token_id}", dependencies=SETTINGS, responses=schemas.errors(404))
async def revoke_token(token_id: schemas.IdPath, admin: AdminDep, clients: ClientsDep) -> schemas.ApiTokenOut:
    revoked = await clients.accounts.RevokeApiToken(
        accounts_pb2.RevokeApiTokenRequest(user_id=_user_id(admin), id=token_id)
    )
    return views.api_token(revoked)
