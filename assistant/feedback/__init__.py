"""Feedback: the answer log and ratings, the staff review queue and staff logins."""
