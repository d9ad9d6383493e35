"""The staff review app: login, the review queue, corrections, flagged documents, dashboard, CSV.

``mount_staff(api, app)`` adds to the FastAPI app ``api`` (paths below ``/staff``):

- ``GET/POST /staff/login``  a small HTML form; success sets a signed session cookie
- ``POST /staff/logout``     ends the session
- ``GET /staff/export.csv``  interactions with their ratings (same filters as the queue)
- ``GET /staff/api/queue``   the review queue as JSON (Interaction records; same filters)
- ``GET /staff/api/items/{id}``          one item (with its review tags and ticket)
- ``POST /staff/api/items/{id}/route``   ``{"route": "crisis"}``: correct the question router's route
- ``POST /staff/api/items/{id}/tags``    ``{"tags": ["wrong_fact", "outdated_source"]}``: set the review tags
- ``/staff/app/``            the Gradio review app

Every route except the login form refuses anonymous visitors: an ASGI gate in
front of all ``/staff`` paths checks the session cookie (pages redirect to the
login form, everything else gets 401), and Gradio's ``auth_dependency`` checks
it again. Rendering lives in pure functions (``render_item``,
``render_dashboard``, ...) that tests call; callbacks fetch from the
ReviewService and render.

Modules: ``mount`` (``mount_staff``), ``login`` (session cookie, gate, login form), ``api`` (CSV
export and JSON API), ``blocks`` (the Gradio app's layout and wiring), one module per page with its
rendering and callbacks (``queue``, ``dashboard``, ``flagged``, ``conflicts``), ``labels`` (the
vocabulary shown) and ``actions`` (running a staff action as the logged-in user).

"""
