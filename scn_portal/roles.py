"""The portal's roles. The groups themselves are created by consultations/0002_roles."""

PORTAL_ADMIN = "Portal admin"
ISD_STAFF = "ISD staff"
PARTNER_EDITOR = "Partner editor"
VIEWER = "Viewer"
