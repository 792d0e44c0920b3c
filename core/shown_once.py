"""Post/Redirect/Get for a secret shown once (a new API token, a webhook signing secret): the
POST keeps it in the session and redirects; the next GET takes it out and shows it, so a reload
neither repeats the POST nor shows the secret again."""

PREFIX = "shown_once:"


def keep(request, key: str, value) -> None:
    request.session[PREFIX + key] = value


def take(request, key: str):
    return request.session.pop(PREFIX + key, None)
