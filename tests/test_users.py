"""/user/<id>: the user themself or an admin; never a password or hash."""


def test_user_reads_themself(api, user):
    response = api.get(f"/user/{user['id']}", token=user["access"])
    assert response.status_code == 200
    assert response.get_json() == {"id": user["id"], "username": "alice", "role": "user"}


def test_user_cannot_read_another_user_403(api, user, other_user):
    response = api.get(f"/user/{other_user['id']}", token=user["access"])
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


def test_admin_reads_any_user(api, admin, user):
    response = api.get(f"/user/{user['id']}", token=admin["access"])
    assert response.status_code == 200
    assert response.get_json()["username"] == "alice"


def test_admin_reading_unknown_user_is_404(api, admin):
    response = api.get("/user/9999", token=admin["access"])
    assert response.status_code == 404
    assert response.get_json()["error"] == "user_not_found"


def test_reading_a_user_without_a_token_is_401(api, user):
    assert api.get(f"/user/{user['id']}").status_code == 401


def test_user_id_past_64_bits_is_404_for_an_admin(api, admin):
    assert api.get(f"/user/{2**70}", token=admin["access"]).status_code == 404


def test_user_deletes_themself_with_a_fresh_token(api, user):
    response = api.delete(f"/user/{user['id']}", token=user["access"])
    assert response.status_code == 200
    assert response.get_json() == {"message": "User deleted."}


def test_user_deleting_themself_needs_a_fresh_token(api, user):
    response = api.delete(f"/user/{user['id']}", token=api.refreshed_access(user))
    assert response.status_code == 401
    assert response.get_json()["error"] == "fresh_token_required"


def test_user_cannot_delete_another_user_403(api, user, other_user):
    response = api.delete(f"/user/{other_user['id']}", token=user["access"])
    assert response.status_code == 403


def test_admin_deletes_any_user(api, admin, user):
    assert api.delete(f"/user/{user['id']}", token=admin["access"]).status_code == 200
    assert api.get(f"/user/{user['id']}", token=admin["access"]).status_code == 404


def test_admin_deleting_unknown_user_is_404(api, admin):
    assert api.delete("/user/9999", token=admin["access"]).status_code == 404


def test_deleted_users_access_token_is_revoked(api, admin, user):
    api.delete(f"/user/{user['id']}", token=admin["access"])
    response = api.get("/items", token=user["access"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def test_deleted_users_refresh_token_is_revoked(api, admin, user):
    api.delete(f"/user/{user['id']}", token=admin["access"])
    response = api.post("/refresh", token=user["refresh"])
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_revoked"


def test_deleted_users_id_is_never_given_to_a_new_user(api, admin, user):
    api.delete(f"/user/{user['id']}", token=admin["access"])
    newcomer = api.new_user("carol")
    assert newcomer["id"] > user["id"]
    assert api.get("/items", token=user["access"]).status_code == 401
