"""/user/<id> and its password, role and sessions; /users for admins."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import get_jwt, get_jwt_identity, jwt_required
from marshmallow import RAISE

from stores_api.auth.access import admin_required, require_self_or_admin
from stores_api.auth.blocklist import revoke_sessions, revoke_user_sessions
from stores_api.auth.passwords import hash_password, verify_password
from stores_api.errors import abort
from stores_api.extensions import db
from stores_api.models import Session, User
from stores_api.models.session import as_utc
from stores_api.resources.docs import BEARER, HASHING_BUSY, Blueprint
from stores_api.schemas.common import MessageSchema
from stores_api.schemas.user import (
    PasswordChangeSchema,
    RevokedCountSchema,
    RoleSchema,
    SessionListSchema,
    UserPageArgsSchema,
    UserPageSchema,
    UserSchema,
)

blp = Blueprint("users", __name__, description="User accounts, passwords, roles and sessions")


def _found(user_id: int) -> User:
    user = User.find_by_id(user_id)
    if user is None:
        abort(404, "User not found.", error="user_not_found")
    return user


@blp.route("/user/<int:user_id>")
class UserResource(MethodView):
    @jwt_required()
    @blp.response(200, UserSchema)
    @blp.errors(401, 403, 404)
    @blp.doc(security=BEARER)
    def get(self, user_id: int):
        """Get a user (themself, or an admin)"""
        require_self_or_admin(user_id)
        return _found(user_id)

    @jwt_required()
    @blp.response(200, MessageSchema)
    @blp.errors(401, 403, 404)
    @blp.doc(security=BEARER)
    def delete(self, user_id: int):
        """Delete a user (themself with a fresh token, or an admin); their tokens stop working"""
        require_self_or_admin(user_id, fresh_for_self=True)
        user = _found(user_id)
        revoke_user_sessions(user.id)  # marks them in Redis too, before the rows go
        db.session.delete(user)
        db.session.commit()
        return {"message": "User deleted."}


@blp.route("/users")
class UserList(MethodView):
    @admin_required
    @blp.arguments(UserPageArgsSchema, location="query", unknown=RAISE)
    @blp.response(200, UserPageSchema)
    @blp.errors(401, 403, 422)
    @blp.doc(security=BEARER)
    def get(self, args: dict):
        """List users by id, a page at a time (admins)"""
        users, total = User.page(args["page"], args["per_page"])
        return {"users": users, "page": args["page"], "per_page": args["per_page"], "total": total}


@blp.route("/user/<int:user_id>/role")
class UserRole(MethodView):
    @admin_required
    @blp.arguments(RoleSchema)
    @blp.response(200, UserSchema)
    @blp.errors(400, 401, 403, 404, 415, 422)
    @blp.doc(security=BEARER)
    def put(self, data: dict, user_id: int):
        """Set a user's role (admins)

        The role takes effect at the user's next token (login or refresh); demoting an admin
        revokes all their sessions at once.
        """
        user = _found(user_id)
        if user.is_admin and data["role"] != "admin":
            revoke_user_sessions(user.id)
        user.role = data["role"]
        db.session.commit()
        return user


@blp.route("/user/<int:user_id>/password")
class UserPassword(MethodView):
    @jwt_required(fresh=True)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, RevokedCountSchema)
    @blp.errors(400, 401, 403, 404, 415, 422, 503, descriptions=HASHING_BUSY)
    @blp.doc(security=BEARER)
    def put(self, data: dict, user_id: int):
        """Change a password (fresh token): the user themself, or an admin's reset

        The user themself sends old_password, and every other session of theirs is revoked;
        an admin resetting another user's password sends only new_password, and every session
        of that user is revoked.
        """
        require_self_or_admin(user_id)
        user = _found(user_id)
        acting_on_self = get_jwt_identity() == str(user.id)
        if acting_on_self:
            if "old_password" not in data:
                # Only an admin may set a password without knowing the old one.
                abort(403, "Send old_password to change your own.", error="old_password_required")
            if not verify_password(user.password_hash, data["old_password"]):
                abort(403, "The old password is wrong.", error="wrong_password")
        user.password_hash = hash_password(data["new_password"])
        keep = get_jwt()["sid"] if acting_on_self else None
        revoked = revoke_user_sessions(user.id, keep_sid=keep)
        db.session.commit()
        return {"message": "Password changed.", "revoked": revoked}


@blp.route("/user/<int:user_id>/sessions")
class UserSessions(MethodView):
    @jwt_required()
    @blp.response(200, SessionListSchema)
    @blp.errors(401, 403, 404)
    @blp.doc(security=BEARER)
    def get(self, user_id: int):
        """List a user's live sessions (themself, or an admin)

        Each with when it was created and last refreshed, and its user agent; `current` marks
        the caller's own.
        """
        require_self_or_admin(user_id)
        _found(user_id)
        sid = get_jwt()["sid"]
        sessions = [
            {**_session_fields(session), "current": session.id == sid}
            for session in Session.live_of_user(user_id)
        ]
        return {"sessions": sessions}


@blp.route("/user/<int:user_id>/sessions/<string:sid>")
class UserSession(MethodView):
    @jwt_required()
    @blp.response(200, MessageSchema)
    @blp.errors(401, 403, 404)
    @blp.doc(security=BEARER)
    def delete(self, user_id: int, sid: str):
        """Revoke one session of a user (themself, or an admin)"""
        require_self_or_admin(user_id)
        session = Session.find(sid)
        if session is None or session.user_id != user_id or not session.is_live:
            abort(404, "Session not found.", error="session_not_found")
        revoke_sessions([session])
        db.session.commit()
        return {"message": "Session revoked."}


def _session_fields(session: Session) -> dict:
    return {
        "id": session.id,
        "created_at": as_utc(session.created_at),
        "last_refreshed_at": as_utc(session.last_refreshed_at),
        "expires_at": as_utc(session.expires_at),
        "user_agent": session.user_agent,
    }
