from django.contrib.auth.decorators import login_not_required
from django.urls import path

from scn_portal import public

app_name = "public"

urlpatterns = [
    path("network/", public.CityDirectoryView.as_view(), name="directory"),
    path("network/<slug:slug>/", public.PublicCityView.as_view(), name="city"),
    path("events.ics", public.WorkshopCalendarView.as_view(), name="calendar"),
    path("events/<slug:slug>/", public.PublicWorkshopView.as_view(), name="workshop"),
    path("events/<slug:slug>/story/", public.WorkshopStoryView.as_view(), name="story"),
]
# The public site is open to everyone: each of its pages is marked so, explicitly.
for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
