"""Pages that tie the apps together."""

from django.db.models import Prefetch
from django.views.generic import TemplateView

from cities.models import City
from workshops.models import Workshop


class HomeView(TemplateView):
    """The public front page: the network's published cities and workshops."""

    template_name = "public/home.html"

    def get_context_data(self, **kwargs):
        cities = City.objects.published().select_related("country", "hub").order_by("name")
        return super().get_context_data(
            cities=cities,
            workshops=Workshop.objects.published()
            .select_related("organiser")
            .prefetch_related(Prefetch("cities", queryset=City.objects.published()))[:5],
            **kwargs,
        )
