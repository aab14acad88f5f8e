import time

from django.core.management.base import BaseCommand, CommandError

from scn_portal.scale import COUNTED_MODELS, generate_scale_data, has_real_records


class Command(BaseCommand):
    help = (
        "Generate realistic sample data at scale, for benchmarks: at --scale 1, 2,000 cities, "
        "20,000 officials, 5,000 workshops, 100,000 consultations, 200,000 next steps... over "
        "ten years, every row marked as sample data and with its history. Refuses a database "
        "that holds real records unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 is the full size; 0.1 for quick runs."
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Generate even though the database holds real (non-sample) records.",
        )

    def handle(self, *args, scale: float, seed: int, force: bool, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        real = has_real_records()
        if real and not force:
            raise CommandError(
                "This database holds real records (" + ", ".join(real) + "): generated data "
                "would mix with them. Use a scratch database, or --force if you mean it."
            )
        began = time.perf_counter()
        counts = generate_scale_data(scale=scale, seed=seed)
        seconds = time.perf_counter() - began
        made = counts.as_dict()
        self.stdout.write(
            f"Generated at scale {scale:g} in {seconds:.1f} s: "
            + ", ".join(f"{made[name]:,} {name.replace('_', ' ')}" for name in COUNTED_MODELS)
            + f", {made['staff_users']} staff users."
        )
