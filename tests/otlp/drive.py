"""Drives the real `openai` client under one OpenTelemetry instrumentation
and exports the spans over OTLP/HTTP (protobuf), as an application would.

    drive.py --instrumentation openai-v2|openai-v2-latest|openinference|openllmetry
             --calls N --conversation ID [--conversation ID ...] [--user ID]
             [--model gpt-4o-mini]

The OTLP exporter and the OpenAI client read the usual environment:
OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS (e.g.
`Authorization=Bearer ct_...`), OPENAI_BASE_URL and OPENAI_API_KEY.

Each conversation is N chat-completion calls under one parent span (so one
trace per conversation); the conversation id is also handed to the
instrumentation through its own API where it has one (see CONVERSATION).
Before exiting the tracer provider is force-flushed; the exit status is
non-zero when the exporter reported a failure.

Prints one JSON object on stdout: for each conversation its trace id and,
per call, the usage the client got back; and the attributes of every
exported span (names and values).
"""

import argparse
import json
import os
import sys

# How each instrumentation learns the conversation (and the user), recorded
# for whoever asserts on the result:
#   openai-v2         nothing (semantic conventions 1.30, gen_ai.system):
#                     one trace per conversation is all that ties the calls
#                     together.
#   openai-v2-latest  the same, under OTEL_SEMCONV_STABILITY_OPT_IN=
#                     gen_ai_latest_experimental (gen_ai.provider.name); the
#                     pinned opentelemetry-util-genai has no conversation id.
#   openinference     session.id and user.id, from `using_attributes`.
#   openllmetry       nothing (the bare instrumentation reads no context);
#                     the OpenAI `user` request field becomes `gen_ai.user`.
CONVERSATION = {
    "openai-v2": None,
    "openai-v2-latest": None,
    "openinference": "session.id",
    "openllmetry": None,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instrumentation", required=True, choices=sorted(CONVERSATION))
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--conversation", action="append", required=True)
    parser.add_argument("--user", default=None)
    parser.add_argument("--model", default="gpt-4o-mini")
    return parser.parse_args()


def main():
    args = parse_args()
    if args.instrumentation == "openai-v2-latest":
        # Read when the instrumentation is set up: must be set before.
        os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
    os.environ.setdefault("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")

    from opentelemetry import context, trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult

    class RecordingExporter(OTLPSpanExporter):
        """The real OTLP/HTTP exporter, remembering what it sent and how it went."""

        def __init__(self):
            super().__init__()
            self.results = []
            self.spans = []

        def export(self, spans):
            result = super().export(spans)
            self.results.append(result)
            self.spans.extend(spans)
            return result

    exporter = RecordingExporter()
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"otlp-driver-{args.instrumentation}"})
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    instrument(args.instrumentation, provider)

    import openai

    client = openai.OpenAI(max_retries=0, timeout=30)
    tracer = trace.get_tracer("cognitrack.otlp.driver")
    conversations = []
    for conversation in args.conversation:
        with tracer.start_as_current_span("conversation") as parent:
            token = context.attach(conversation_context(args, conversation))
            try:
                calls = [chat(client, args, conversation, i) for i in range(args.calls)]
            finally:
                context.detach(token)
            trace_id = format(parent.get_span_context().trace_id, "032x")
        conversations.append({"id": conversation, "trace_id": trace_id, "calls": calls})

    flushed = provider.force_flush(timeout_millis=30_000)
    provider.shutdown()
    failed = [str(r) for r in exporter.results if r is not SpanExportResult.SUCCESS]
    print(
        json.dumps(
            {
                "instrumentation": args.instrumentation,
                "conversation_attribute": CONVERSATION[args.instrumentation],
                "conversations": conversations,
                "flushed": flushed,
                "exports": len(exporter.results),
                "failed_exports": failed,
                "spans": [
                    {
                        "name": s.name,
                        "trace_id": format(s.context.trace_id, "032x"),
                        "attributes": {k: jsonable(v) for k, v in (s.attributes or {}).items()},
                    }
                    for s in exporter.spans
                ],
            }
        )
    )
    if not flushed or failed or not exporter.results:
        print(
            f"export failed: flushed={flushed} results={[str(r) for r in exporter.results]}",
            file=sys.stderr,
        )
        sys.exit(1)


def instrument(name, provider):
    if name in ("openai-v2", "openai-v2-latest"):
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    elif name == "openinference":
        from openinference.instrumentation.openai import OpenAIInstrumentor
    else:
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument(tracer_provider=provider)


def conversation_context(args, conversation):
    """The OpenTelemetry context that carries the conversation (and user) to
    the instrumentation, through that library's own API."""
    from opentelemetry import context

    ctx = context.get_current()
    if args.instrumentation == "openinference":
        from openinference.instrumentation import using_attributes

        attrs = {"session_id": conversation}
        if args.user:
            attrs["user_id"] = args.user
        # using_attributes is a context manager over the same context keys;
        # entering it here and reading the context back keeps one code path.
        with using_attributes(**attrs):
            ctx = context.get_current()
    return ctx


def chat(client, args, conversation, index):
    # OpenAI's own end-user field; only OpenLLMetry turns it into a span
    # attribute (gen_ai.user).
    extra = {"user": args.user} if args.user else {}
    response = client.chat.completions.create(
        model=args.model,
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": f"{conversation}: question {index + 1}"},
        ],
        **extra,
    )
    usage = response.usage
    details = getattr(usage, "prompt_tokens_details", None)
    return {
        "response_id": response.id,
        "model": response.model,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "cached_tokens": getattr(details, "cached_tokens", None) or 0,
    }


def jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return list(value)


if __name__ == "__main__":
    main()
