"""What the officers of a cluster are called: a cluster (cụm, by territory) has
a “cụm trưởng” and a “cụm phó”, a block (khối, by function) a “trưởng khối”
and a “phó trưởng khối”. Pages, messages and documents take the title from the
cluster's kind through these functions, never from a fixed word."""

from django.utils.translation import pgettext_lazy

from .models import ClusterKind, MemberRole, RotationPolicy

TITLES = {
    (ClusterKind.CLUSTER, MemberRole.CHAIR): pgettext_lazy("title", "cluster chair"),
    (ClusterKind.CLUSTER, MemberRole.DEPUTY): pgettext_lazy(
        "title", "deputy cluster chair"
    ),
    (ClusterKind.BLOCK, MemberRole.CHAIR): pgettext_lazy("title", "block head"),
    (ClusterKind.BLOCK, MemberRole.DEPUTY): pgettext_lazy("title", "deputy block head"),
}

# Documents are written in Vietnamese whatever the language of the page.
DOCUMENT_TITLES = {
    (ClusterKind.CLUSTER, MemberRole.CHAIR): "Cụm trưởng",
    (ClusterKind.CLUSTER, MemberRole.DEPUTY): "Cụm phó",
    (ClusterKind.BLOCK, MemberRole.CHAIR): "Trưởng khối",
    (ClusterKind.BLOCK, MemberRole.DEPUTY): "Phó Trưởng khối",
}


def kind_of(cluster):
    """The ClusterKind of a cluster, a term (its cluster's), or a kind itself."""
    if isinstance(cluster, str):
        return ClusterKind(cluster)
    if hasattr(cluster, "cluster"):
        cluster = cluster.cluster
    return ClusterKind(cluster.kind)


def is_block(cluster):
    return kind_of(cluster) == ClusterKind.BLOCK


def role_title(role, cluster):
    """The title of `role` (a MemberRole) in `cluster` (a cluster, a term or a
    kind), in the active language: “trưởng khối” for a block's chair; a plain
    member is “thành viên”."""
    title = TITLES.get((kind_of(cluster), role))
    return title if title is not None else MemberRole(role).label


def chair_title(cluster):
    return role_title(MemberRole.CHAIR, cluster)


def deputy_title(cluster):
    return role_title(MemberRole.DEPUTY, cluster)


# Rotation policies whose name speaks of the chair.
BLOCK_POLICY_LABELS = {
    RotationPolicy.DEPUTY_SUCCEEDS: pgettext_lazy("block", "deputy succeeds the chair"),
    RotationPolicy.LEADER_CHAIRS: pgettext_lazy(
        "block", "the leading unit (flag winner) chairs"
    ),
}


def policy_label(policy, cluster):
    """The name of a rotation policy as the cluster's kind says it."""
    policy = RotationPolicy(policy)
    if is_block(cluster) and policy in BLOCK_POLICY_LABELS:
        return BLOCK_POLICY_LABELS[policy]
    return policy.label


def for_kind(cluster, cluster_text, block_text):
    """`block_text` for a block, `cluster_text` otherwise: for whole sentences
    whose wording changes with the kind (translate both with their own
    msgids, the block's under the context "block")."""
    return block_text if is_block(cluster) else cluster_text


def document_title(role, cluster, *, upper=False):
    """The title for a Vietnamese document: “Cụm trưởng”, “Phó Trưởng khối”…;
    in capitals for a signature block with `upper`."""
    title = DOCUMENT_TITLES[(kind_of(cluster), MemberRole(role))]
    return title.upper() if upper else title
