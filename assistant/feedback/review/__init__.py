"""Staff review: the queue of bad and unanswered answers, corrections, flagged documents, dashboard.

``service.ReviewService`` is the one object the app builds; its parts live in their own modules:

* ``queue``: the review queue, its filters, review tags, route corrections, dismissals;
* ``curated``: curated answers (staff corrections) and their retirement when the source changes;
* ``flagged``: documents staff marked outdated or wrong;
* ``ratings``: what citizens' ratings say about pages;
* ``dashboard``: the staff dashboard's figures;
* ``export``: CSV, evaluation cases and router examples;
* ``cache``: the curated answers and flagged documents the answer service reads, in memory;
* ``errors``: what a staff action can fail with.
"""
