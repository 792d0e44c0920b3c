"""GET /v1/profiles/mpn: the caller's MpnProfile."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from ..base import PartnerCenterView, errors
from ..representations.common import with_meta
from ..representations.customers import MpnProfileSerializer

MpnProfile = with_meta(MpnProfileSerializer)


class MpnProfileView(PartnerCenterView):
    @extend_schema(
        operation_id="profiles_mpn",
        summary="Get the caller's partner program (MPN) profile",
        responses={200: MpnProfile, **errors()},
    )
    def get(self, request):
        return Response(MpnProfileSerializer(request.partner).data)
