"""gRPC adapter of the accounts service: convert the request, call the domain, convert the answer."""

from pathlib import Path

from cabanas.v1 import accounts_pb2, accounts_pb2_grpc
from services.accounts import auth, convert, users
from services.accounts.app import AccountsApp, build
from services.common import paging
from services.common.grpc_server import Bound, Context, Service


class AccountsServicer(Bound[AccountsApp], accounts_pb2_grpc.AccountsServiceServicer):
    # Users ----------------------------------------------------------------------

    async def CreateUser(self, request: accounts_pb2.CreateUserRequest, context: Context) -> accounts_pb2.User:
        created = await users.create(
            self.app.db,
            self.app.hasher,
            email_=request.email,
            name_=request.name,
            phone_=request.phone,
            role_=convert.role(request.role),
            password=request.password,
        )
        return convert.user_pb(created)

    async def GetUser(self, request: accounts_pb2.GetUserRequest, context: Context) -> accounts_pb2.User:
        return convert.user_pb(await users.find(self.app.db, request.id))

    async def ListUsers(
        self, request: accounts_pb2.ListUsersRequest, context: Context
    ) -> accounts_pb2.ListUsersResponse:
        limit, offset = paging.bounds(request.page)
        rows, total = await users.listing(self.app.db, limit, offset)
        return convert.users_pb(rows, paging.response(limit, offset, len(rows), total))

    async def UpdateUser(self, request: accounts_pb2.UpdateUserRequest, context: Context) -> accounts_pb2.User:
        fields = convert.user_changes(request.user, list(request.update_mask.paths))
        return convert.user_pb(await users.update(self.app.db, request.id, fields))

    async def SetPassword(self, request: accounts_pb2.SetPasswordRequest, context: Context) -> accounts_pb2.User:
        app = self.app
        updated = await users.set_password(
            app.db, app.hasher, app.limits, request.user_id, request.password, request.current_password
        )
        return convert.user_pb(updated)

    # Sessions and tokens --------------------------------------------------------

    async def Login(self, request: accounts_pb2.LoginRequest, context: Context) -> accounts_pb2.Session:
        app = self.app
        opened = await auth.login(
            app.db, app.hasher, app.limits, app.lifetime, request.email, request.password, request.client
        )
        return convert.session_pb(*opened)

    async def Authenticate(self, request: accounts_pb2.AuthenticateRequest, context: Context) -> accounts_pb2.Principal:
        return convert.principal_pb(await auth.authenticate(self.app.db, self.app.lifetime, request.token))

    async def Logout(self, request: accounts_pb2.LogoutRequest, context: Context) -> accounts_pb2.LogoutResponse:
        return accounts_pb2.LogoutResponse(revoked=await auth.logout(self.app.db, request.token))

    async def CreateApiToken(
        self, request: accounts_pb2.CreateApiTokenRequest, context: Context
    ) -> accounts_pb2.CreatedApiToken:
        row, secret = await auth.create_token(self.app.db, request.user_id, request.name)
        return accounts_pb2.CreatedApiToken(token=convert.token_pb(row), secret=secret)

    async def ListApiTokens(
        self, request: accounts_pb2.ListApiTokensRequest, context: Context
    ) -> accounts_pb2.ListApiTokensResponse:
        rows = await auth.tokens(self.app.db, request.user_id)
        return accounts_pb2.ListApiTokensResponse(tokens=[convert.token_pb(r) for r in rows])

    async def RevokeApiToken(
        self, request: accounts_pb2.RevokeApiTokenRequest, context: Context
    ) -> accounts_pb2.ApiToken:
        return convert.token_pb(await auth.revoke_token(self.app.db, request.user_id, request.id))


SERVICE = Service(
    name="accounts",
    descriptor=accounts_pb2.DESCRIPTOR.services_by_name["AccountsService"],
    servicer=AccountsServicer,
    add_to_server=accounts_pb2_grpc.add_AccountsServiceServicer_to_server,
    build=build,
    schema="accounts",
    migrations=Path(__file__).parent / "migrations",
)
