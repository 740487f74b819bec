"""智慧生态环境 (plan action 10): air quality (HJ 633), heavy-pollution warnings."""
