"""/register, /login, /auth, /refresh, /logout, /logout/all."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import get_jwt, get_jwt_identity, jwt_required
from sqlalchemy.exc import IntegrityError

from stores_api.auth.blocklist import revoke_sessions, revoke_user_sessions
from stores_api.auth.passwords import hash_password, verify_password
from stores_api.auth.tokens import open_session, refresh_session
from stores_api.errors import abort
from stores_api.extensions import db
from stores_api.models import Session, User
from stores_api.ratelimits import login_limits, refresh_limit, register_limit
from stores_api.resources.docs import BEARER, HASHING_BUSY, LOGIN_LIMITED, Blueprint
from stores_api.schemas.common import MessageSchema
from stores_api.schemas.user import (
    AccessTokenSchema,
    CredentialsSchema,
    RegisterSchema,
    RevokedCountSchema,
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
    @register_limit
    @blp.arguments(RegisterSchema)
    @blp.response(201, MessageSchema)
    @blp.errors(400, 409, 415, 422, 429, 503, descriptions=HASHING_BUSY)
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
    @login_limits
    @blp.arguments(CredentialsSchema)
    @blp.response(200, TokensSchema)
    @blp.errors(400, 401, 415, 422, 429, 503, descriptions=LOGIN_LIMITED | HASHING_BUSY)
    def post(self, data: dict):
        """Log in: a fresh access token and a refresh token (a new session)"""
        return open_session(_authenticate(data)), 200, NO_STORE


@blp.route("/auth")
class FirstEditionAuth(MethodView):
    @login_limits
    @blp.arguments(CredentialsSchema)
    @blp.response(200, AccessTokenSchema)
    @blp.errors(400, 401, 415, 422, 429, 503, descriptions=LOGIN_LIMITED | HASHING_BUSY)
    def post(self, data: dict):
        """Log in the course's first-edition way (Flask-JWT): a session with an access token only"""
        return open_session(_authenticate(data), with_refresh=False), 200, NO_STORE


@blp.route("/refresh")
class Refresh(MethodView):
    @jwt_required(refresh=True)
    @refresh_limit
    @blp.response(200, TokensSchema)
    @blp.errors(401, 429)
    @blp.doc(security=BEARER)
    def post(self):
        """Trade a refresh token for a new, non-fresh access token and a new refresh token

        The presented refresh token stops working. Presenting it again after
        REFRESH_GRACE_SECONDS revokes the whole session (401 token_revoked); within the grace,
        the answer carries the session's current refresh token again.
        """
        return refresh_session(get_jwt()), 200, NO_STORE


@blp.route("/logout")
class Logout(MethodView):
    @jwt_required()
    @blp.response(200, MessageSchema)
    @blp.errors(401)
    @blp.doc(security=BEARER)
    def post(self):
        """Log out: revoke this session (its access and refresh tokens)"""
        session = Session.find(get_jwt()["sid"])
        revoke_sessions([session] if session else [])
        db.session.commit()
        return {"message": "Successfully logged out."}


@blp.route("/logout/all")
class LogoutEverywhere(MethodView):
    @jwt_required()
    @blp.response(200, RevokedCountSchema)
    @blp.errors(401)
    @blp.doc(security=BEARER)
    def post(self):
        """Log out everywhere: revoke every session of this user, on every device"""
        revoked = revoke_user_sessions(int(get_jwt_identity()))
        db.session.commit()
        return {"message": "Logged out of every session.", "revoked": revoked}
