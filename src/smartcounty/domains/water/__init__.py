"""智慧水利 (plan action 9): surface-water quality class (GB 3838-2002), water levels, rain, drought watch."""
