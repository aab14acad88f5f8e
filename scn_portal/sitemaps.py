"""sitemap.xml: the public pages only, from the public scope."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from cities.models import City
from scn_portal.public import PUBLIC
from workshops.models import Workshop


class PublicPagesSitemap(Sitemap):
    def items(self):
        return ["home", "public:directory"]

    def location(self, item):
        return reverse(item)


class CitySitemap(Sitemap):
    def items(self):
        return City.objects.for_user(PUBLIC).order_by("name")

    def location(self, city):
        return reverse("public:city", args=[city.slug])

    def lastmod(self, city):
        return city.updated_at


class WorkshopSitemap(Sitemap):
    def items(self):
        return Workshop.objects.for_user(PUBLIC).order_by("-start_date")

    def location(self, workshop):
        return reverse("public:workshop", args=[workshop.slug])

    def lastmod(self, workshop):
        return workshop.updated_at


class StorySitemap(WorkshopSitemap):
    def location(self, workshop):
        return reverse("public:story", args=[workshop.slug])


SITEMAPS = {
    "pages": PublicPagesSitemap,
    "cities": CitySitemap,
    "workshops": WorkshopSitemap,
    "stories": StorySitemap,
}
