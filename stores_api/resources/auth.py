"""/register, /login, /auth, /refresh, /logout."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import get_jwt, get_jwt_identity, jwt_required
from sqlalchemy.exc import IntegrityError

from stores_api.auth.passwords import hash_password, verify_password
from stores_api.auth.tokens import issue_login_tokens, new_access_token, revoke_current_session
from stores_api.errors import abort
from stores_api.extensions import db
from stores_api.models import User
from stores_api.resources.docs import BEARER, Blueprint
from stores_api.schemas.common import MessageSchema
from stores_api.schemas.user import (
    AccessTokenSchema,
    CredentialsSchema,
    RegisterSchema,
    TokensSchema,
)

blp = Blueprint("auth", __name__, description="Accounts and tokens")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _authenticate(data: dict) -> User:
    """The user with these credentials; 401 alike for an unknown user and a wrong password."""
    user = User.find_by_username(data["username"])
    if not verify_password(user.password_hash if user else None, data["password"]):
        abort(401, "Invalid credentials.", error="invalid_credentials")
    return user


@blp.route("/register")
class Register(MethodView):
    @blp.arguments(RegisterSchema)
    @blp.response(201, MessageSchema)
    @blp.errors(400, 409, 415, 422)
    def post(self, data: dict):
        """Create a user account"""
        user = User(username=data["username"], password_hash=hash_password(data["password"]))
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            abort(409, "A user with that username already exists.", error="username_taken")
        return {"message": "User created successfully."}


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(CredentialsSchema)
    @blp.response(200, TokensSchema)
    @blp.errors(400, 401, 415, 422)
    def post(self, data: dict):
        """Log in: a fresh access token and a refresh token"""
        return issue_login_tokens(_authenticate(data)), 200, NO_STORE


@blp.route("/auth")
class FirstEditionAuth(MethodView):
    @blp.arguments(CredentialsSchema)
    @blp.response(200, AccessTokenSchema)
    @blp.errors(400, 401, 415, 422)
    def post(self, data: dict):
        """Log in the course's first-edition way (Flask-JWT): an access token only"""
        user = _authenticate(data)
        return {"access_token": new_access_token(user, fresh=True)}, 200, NO_STORE


@blp.route("/refresh")
class Refresh(MethodView):
    @jwt_required(refresh=True)
    @blp.response(200, AccessTokenSchema)
    @blp.errors(401)
    @blp.doc(security=BEARER)
    def post(self):
        """Trade a refresh token for a new, non-fresh access token"""
        user = User.find_by_id(int(get_jwt_identity()))
        if user is None:
            abort(401, "The token has been revoked.", error="token_revoked")
        token = new_access_token(user, fresh=False, refresh_claims=get_jwt())
        return {"access_token": token}, 200, NO_STORE


@blp.route("/logout")
class Logout(MethodView):
    @jwt_required()
    @blp.response(200, MessageSchema)
    @blp.errors(401)
    @blp.doc(security=BEARER)
    def post(self):
        """Log out: revoke this access token and the refresh token issued with it"""
        revoke_current_session()
        return {"message": "Successfully logged out."}
