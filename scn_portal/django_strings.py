"""Django's own strings that the portal's pages show and Django's Urdu catalogue leaves
untranslated (or spells in an older orthography): the sign-in and password forms, form
errors, the empty choice of a select and "… ago" durations.

Nothing imports this module: it is here for `makemessages`, which copies these messages into
`locale/ur/LC_MESSAGES/django.po`. The portal's catalogue (LOCALE_PATHS) takes precedence over
Django's, so its translations are the ones shown. Keep each message exactly as Django writes
it, curly apostrophes included.
"""

# ruff: noqa: RUF001 -- Django's messages use a curly apostrophe; they must match exactly.

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    # Forms and widgets (django/forms, django/db/models/fields)
    gettext_noop("- Select an option -"),
    gettext_noop("Yes"),
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    # "… ago" (django/utils/timesince.py)
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
    # Sign-in and passwords (django/contrib/auth)
    gettext_noop("username"),
    gettext_noop("Password"),
    gettext_noop("Email"),
    gettext_noop("Old password"),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Password confirmation"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
    gettext_noop("This account is inactive."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
)
