import zlib

import pytest

from memgym.memory import make_memory
from memgym.memory.compaction_pack import pack, unpack
from tests.memory.conftest import replay


@pytest.mark.parametrize(
    "spec", ["window:max_tokens=1500", "mask:keep=2", "summary:max_tokens=1500"]
)
def test_pack_round_trips_every_field_and_is_smaller(spec, lite, track):
    records = replay(lite[1], make_memory(spec, track), track).compactions
    assert records
    blob = pack(records)
    back = unpack(blob)
    assert [r.model_dump() for r in back] == [r.model_dump() for r in records]
    one_by_one = sum(len(zlib.compress(r.model_dump_json().encode())) for r in records)
    assert len(blob) * 3 < one_by_one


def test_pack_of_nothing_and_bad_blobs():
    assert unpack(pack([])) == []
    with pytest.raises(ValueError, match="not a packed compaction blob"):
        unpack(b"not zlib")
    with pytest.raises(ValueError, match="not a packed compaction blob"):
        unpack(zlib.compress(b'{"v": 2, "texts": [], "records": [{"before": [3]}]}'))
