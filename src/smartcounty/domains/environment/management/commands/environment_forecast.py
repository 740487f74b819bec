"""``smartcounty environment_forecast``: retrain every station's 72-hour AQI forecast and print its
rolling-origin backtest against persistence."""

from django.core.management.base import BaseCommand

from smartcounty.domains.environment import forecasting


def fmt(v):
    return "—" if v is None else f"{v:.1f}"


class Command(BaseCommand):
    help = "Retrain the air-quality forecasts and print the backtest MAE of the model against persistence."

    def add_arguments(self, parser):
        parser.add_argument("--backtest-days", type=int, default=forecasting.BACKTEST_DAYS,
                            help="days of rolling origins (one a day) in the backtest")

    def handle(self, *args, backtest_days, **options):
        runs = forecasting.run_forecasts(backtest_days=backtest_days)
        if not runs:
            self.stdout.write("no station has an hourly AQI yet")
            return
        self.stdout.write(f"{'station':<24} {'origin (UTC)':<17} {'method':<11} {'hours':>5} "
                          f"{'MAE model':>9} {'MAE persist':>11} {'pairs':>6}")
        for r in runs:
            self.stdout.write(f"{r.station_name[:24]:<24} {r.issued_at:%Y-%m-%d %H:%M} {r.method:<11} "
                              f"{r.history_hours:>5} {fmt(r.model_mae):>9} {fmt(r.persistence_mae):>11} "
                              f"{r.backtest_pairs:>6}")
        pooled = forecasting.pooled_skill(runs)
        if pooled:
            self.stdout.write(f"all stations: MAE model {pooled['model_mae']:.2f}, persistence "
                              f"{pooled['persistence_mae']:.2f}, skill {pooled['skill']:.2f} "
                              f"over {pooled['pairs']} (origin, lead) pairs")
        else:
            self.stdout.write("backtest: not enough history yet")
