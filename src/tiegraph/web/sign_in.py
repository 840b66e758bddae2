"""The signal that a page needs a signed-in member: raised by security, answered by errors."""


class SignInRequired(Exception):
    """A page needs a signed-in member: the browser is sent to the sign-in page."""
