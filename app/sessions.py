"""The signed-cookie session, refreshed at most once a minute.

Flask re-signs a permanent session's cookie on every response so that its expiry slides. During an
assessment the page saves answers every few seconds, and re-signing each of those responses costs
more than the save itself. Here an unmodified session is re-signed only when its last refresh is a
minute old: the expiry still slides (to within a minute) and most responses carry no Set-Cookie.
"""

import time

from flask.sessions import SecureCookieSessionInterface

REFRESHED = "_refreshed"


class ThrottledRefreshSessionInterface(SecureCookieSessionInterface):
    refresh_every = 60  # seconds

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        return time.time() - session.get(REFRESHED, 0) >= self.refresh_every

    def save_session(self, app, session, response) -> None:
        if session and session.permanent and self.should_set_cookie(app, session):
            session[REFRESHED] = int(time.time())
        super().save_session(app, session, response)
