"""/user/<id>: read or delete an account (the user themself, or an admin)."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import jwt_required

from stores_api.auth.access import require_self_or_admin
from stores_api.errors import abort
from stores_api.extensions import db
from stores_api.models import User
from stores_api.resources.docs import BEARER, Blueprint
from stores_api.schemas.common import MessageSchema
from stores_api.schemas.user import UserSchema

blp = Blueprint("users", __name__, description="User accounts")


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
        db.session.delete(_found(user_id))
        db.session.commit()
        return {"message": "User deleted."}
