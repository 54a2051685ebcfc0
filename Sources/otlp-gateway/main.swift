print("otlp-gateway")
