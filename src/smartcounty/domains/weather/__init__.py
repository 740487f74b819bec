"""智慧气象 (plan action 17): CMA meteorological warning signals judged from station data and forecasts."""
