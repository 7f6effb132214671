"""The one chart both benches draw: wall time against N, a panel per command, each variant in its
colour, titled with the versions and the machine. matplotlib is imported here only, when a chart
is drawn, since the benches themselves run without it."""

from .results import OPENAPI_OPTIONS, PHASES, VARIANTS

COLORS = {"ours": "#1f77b4", "recipe": "#d62728", "openapi": "#2ca02c", "openapi-json": "#9467bd"}


def label(res, variant):
    """A variant's name in a legend."""
    if variant == "ours":
        return "async_lambda_endpoint"
    if variant in OPENAPI_OPTIONS:
        return f"aws_api_gateway_rest_api.body of openapi_operation(arn, {OPENAPI_OPTIONS[variant]})'s"
    return f"hashicorp/aws {res.d['versions']['hashicorp/aws']} recipe"


def wall_time(res, path, plot, xlabel, ylabel, title="", variants=VARIANTS):
    """Draws into `path`: `plot(ax, variant, phase, color)` draws each of `variants`' lines in one
    panel; `title` goes before the versions and the machine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), dpi=110)
    for ax, phase in zip(axes, PHASES):
        for variant in variants:
            plot(ax, variant, phase, COLORS[variant])
        ax.set(title=f"terraform {phase}", xlabel=xlabel, ylabel=ylabel, xticks=res.sizes, ylim=(0, None))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    m, v = res.d["machine"], res.d["versions"]
    fig.suptitle(f"{title}Terraform {v['terraform']}, LocalStack {v['localstack']}, {m['cores']} cores {m['cpu']}",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
