"""Block or attribute, for the struct members the JS leaves open (type "struct", maps of structs).

Single and map nested blocks look like single and map nested attributes in the
generated JS. What tells them apart: the generator emits a class's attributes sorted,
then its blocks sorted, so one break in the name order separates the two runs; blocks
are never computed; map blocks are the only members with no flag set. What is left is
resolved as `struct_block_or_attribute` (rules.RULES).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Member
from .shapes import Shape

if TYPE_CHECKING:
    from .builder import Builder, Ctx


def decide_blocks(builder: Builder, ctx: Ctx, members: list[Member], shapes: list[Shape], path: str) -> None:
    """Settle is_block for struct members the JS leaves open (type 'struct', maps of structs)."""
    undecided = [i for i, s in enumerate(shapes) if s.kind == "struct" and s.is_block is None]
    if not undecided:
        return
    lo, hi, consistent = _order_bounds(members, shapes)
    for i in undecided:
        m, s = members[i], shapes[i]
        if m.computed:
            s.is_block = False  # blocks are never computed in the generator's flags
            continue
        if s.collection == "map" and not (m.optional or m.required):
            s.is_block = True  # map blocks are the only members with no flag set
            continue
        if consistent and i < lo:
            s.is_block = False
            continue
        if consistent and i >= hi:
            s.is_block = True
            continue
        _resolve_by_default(builder, ctx, m, s, f"{path}.{m.name}")


def _order_bounds(members: list[Member], shapes: list[Shape]) -> tuple[int, int, bool]:
    """(lo, hi, consistent): members before lo are attributes, from hi on blocks, when the
    member order agrees with what is already known (consistent)."""
    definite: list[str | None] = []
    for m, s in zip(members, shapes):
        if s.kind != "struct" or m.computed:
            definite.append("attr")
        elif s.is_block is True:
            definite.append("block")
        elif s.is_block is False:
            definite.append("attr")
        else:
            definite.append(None)
    names = [m.name for m in members]
    breaks = [i for i in range(1, len(names)) if names[i] < names[i - 1]]
    lo, hi = 0, len(names)  # members < lo are attributes, >= hi are blocks
    if len(breaks) == 1:
        lo = hi = breaks[0]
    attr_idx = [i for i, d in enumerate(definite) if d == "attr"]
    block_idx = [i for i, d in enumerate(definite) if d == "block"]
    if attr_idx:
        lo = max(lo, attr_idx[-1] + 1) if len(breaks) != 1 else lo
    if block_idx:
        hi = min(hi, block_idx[0]) if len(breaks) != 1 else hi
    consistent = len(breaks) <= 1 and all(i < hi for i in attr_idx) and all(i >= lo for i in block_idx)
    return lo, hi, consistent


def _resolve_by_default(builder: Builder, ctx: Ctx, m: Member, s: Shape, mpath: str) -> None:
    """Order does not settle it: 'timeouts' is a block, anything else an attribute; recorded."""
    # A single block's flags are derived from its fields; whether they fit is noted.
    children = builder.struct_members(ctx, s.struct, mpath)
    if s.collection == "single" and children:
        derived_opt = all(c.optional for c in children)
        derived_req = all(c.required for c in children)
        if not derived_opt and not derived_req:
            derived_opt = any(c.optional or c.required for c in children)
        fits_block = (m.optional, m.required) == (derived_opt, derived_req)
    else:
        fits_block = False
    # Besides timeouts, single/map nested *blocks* are rare (SDKv2 has none) while
    # nested attributes are common in protocol-6 providers; in Terraform JSON both are
    # written as an object, so the attribute reading rejects nothing the block would accept.
    choice = m.name == "timeouts"
    s.is_block = choice
    builder.resolve(
        "struct_block_or_attribute",
        mpath,
        "block" if choice else "attribute",
        "member order does not separate attributes from blocks here; "
        + (
            "'timeouts' is always a block"
            if choice
            else "flags also fit a single block" if fits_block else "flags do not fit a single block"
        ),
    )
