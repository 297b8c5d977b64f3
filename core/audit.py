"""Saving and deleting with the actor (and an optional reason) in the history."""


def audited_save(obj, actor, reason=None, **kwargs):
    """Save `obj`; its history entry names `actor` and `reason`."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    obj.save(**kwargs)
    return obj


def audited_delete(obj, actor, reason=None):
    """Delete `obj`; its history entry names `actor` and `reason`."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    obj.delete()
