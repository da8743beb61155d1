/* clockwatch.c: steps of the wall clock and the gateway's clock against
 * ours (clockwatch.h).  Stored times are wall-clock; the daemon uses the
 * step to move the times recorded before it, and the gateway's clock to
 * judge the age of its messages. */
#include <stdlib.h>

#include "clockwatch.h"

double
clockwatch_step(struct clockwatch *w, double wall, double mono)
{
	double offset = wall - mono, step;

	if (!w->started) {
		w->started = true;
		w->offset = offset;
		return 0;
	}
	step = offset - w->offset;
	if (step > -CLOCKWATCH_STEP_MIN_S && step < CLOCKWATCH_STEP_MIN_S)
		return 0; /* drift, or slewing: kept as it was */
	w->offset = offset;
	return step;
}

enum clockwatch_news
clockwatch_gateway(struct clockwatch *w, int64_t gateway, int64_t ours)
{
	int64_t skew = gateway - ours;

	w->skew_known = true;
	w->skew = skew;
	if (llabs(skew) > CLOCKWATCH_SKEW_WARN_S) {
		if (w->skew_warned &&
		    llabs(skew - w->skew_warned_at) <= CLOCKWATCH_SKEW_WARN_S)
			return CLOCKWATCH_SAME;
		w->skew_warned = true;
		w->skew_warned_at = skew;
		return CLOCKWATCH_SKEWED;
	}
	if (w->skew_warned) {
		w->skew_warned = false;
		return CLOCKWATCH_AGREE;
	}
	return CLOCKWATCH_SAME;
}

int64_t
clockwatch_gateway_offset(const struct clockwatch *w)
{
	return w->skew_known ? w->skew : 0;
}
