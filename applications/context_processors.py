def notifications(request):
    """The unread notification count for the page header (logged-in people only): the count
    kept on the person's row by the database (applications migration 0010), read with the row
    at the request's start, so no query of its own."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": user.unread_notifications}
