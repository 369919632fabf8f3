/* Shared between target/i386/cpu.c and cpuid.c: feature words and CPU models. */
#ifndef TARGET_I386_CPU_INTERNAL_H
#define TARGET_I386_CPU_INTERNAL_H

#include "target/i386/cpu.h"

/* A CPUID register holding feature flags. */
typedef enum FeatureWord {
    FEAT_1_EDX,
    FEAT_1_ECX,
    FEAT_6_EAX,
    FEAT_7_0_EBX,
    FEAT_7_0_ECX,
    FEAT_7_0_EDX,
    FEAT_7_1_EAX,
    FEAT_D_1_EAX,
    FEAT_8000_0001_EDX,
    FEAT_8000_0001_ECX,
    FEAT_8000_0007_EDX,
    FEAT_8000_0008_EBX,
    FEAT_KVM,
    FEATURE_WORDS,
} FeatureWord;

typedef uint32_t FeatureWordArray[FEATURE_WORDS];

typedef struct FeatureWordInfo {
    uint32_t function;
    uint32_t index;
    char reg;                  /* 'a', 'b', 'c', 'd' */
    const char *names[32];     /* QEMU's spelling; NULL = no user-visible name */
} FeatureWordInfo;

extern const FeatureWordInfo feature_word_info[FEATURE_WORDS];

struct X86CPUModel {
    const char *name;
    const char *desc;
    /* host/max: everything the accelerator supports, identity from the host. */
    bool passthrough;
    bool needs_kvm;
    uint32_t level, xlevel;
    char vendor[13];
    uint32_t family, model, stepping;
    const char *model_id;
    FeatureWordArray features;
};

extern const X86CPUModel x86_cpu_models[];
extern const int x86_cpu_nr_models;

/* Parsed "+feat,-feat,feat=on|off" list. */
typedef struct X86FeatureRequest {
    FeatureWordArray plus;
    FeatureWordArray minus;
    bool enforce;
} X86FeatureRequest;

bool x86_parse_features(const char *spec, const char *features, X86FeatureRequest *req,
                        Error **errp);
/* Build cpu->cpuid from its class's model, the request and the accelerator. */
bool x86_cpu_build_cpuid(X86CPU *cpu, const X86FeatureRequest *req, Error **errp);

#endif
