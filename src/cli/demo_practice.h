/*
 * The demo practice's vocabulary: Dr Claire Martin and Dr Karim Benali (general
 * practitioners), Dr Julien Moreau (paediatrician), and five appointment types.
 */
#ifndef PERMANENCE_DEMO_PRACTICE_H
#define PERMANENCE_DEMO_PRACTICE_H

#include "nlu.h"

extern const struct nlu_vocabulary demo_practice_vocabulary;

#endif
