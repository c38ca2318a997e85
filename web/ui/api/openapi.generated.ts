// Generated from docs/openapi.json by `npm run web:api-types` — do not edit.

export interface Schemas {
  AdCampaign: {
    id: string;
    advertiserId: string;
    name: string;
    status: "active" | "paused";
    priority: number;
    cpmMinor: number;
    budgetMinor: number;
    dailyImpressionCap: number | null;
    frequencyCapPerDay: number | null;
    competitiveCategory: string | null;
    startsAt: string;
    endsAt: string;
    targeting: Schemas["AdTargeting"];
    createdAt: string;
    updatedAt: string;
    creatives: Array<Schemas["AdCreative"]>;
  };
  AdCampaignInput: {
    id: string;
    advertiserId: string;
    name: string;
    status: "active" | "paused";
    priority: number;
    cpmMinor: number;
    budgetMinor: number;
    dailyImpressionCap: number | null;
    frequencyCapPerDay: number | null;
    competitiveCategory: string | null;
    startsAt: string;
    endsAt: string;
    targeting: Schemas["AdTargetingInput"];
    createdAt: string;
    updatedAt: string;
    creatives: Array<Schemas["AdCreativeInput"]>;
  };
  AdCreative: {
    id: string;
    campaignId: string;
    name: string;
    clickThroughUrl: string;
    companionImageUrl: string | null;
    status: "awaiting_upload" | "processing" | "ready" | "failed";
    durationSeconds: number | null;
    renditions: Array<{
      width: number;
      height: number;
      bitrateKbps: number;
    }>;
    failure: string | null;
    createdAt: string;
  };
  AdCreativeInput: {
    id: string;
    campaignId: string;
    name: string;
    clickThroughUrl: string;
    companionImageUrl: string | null;
    status: "awaiting_upload" | "processing" | "ready" | "failed";
    durationSeconds: number | null;
    renditions: Array<{
      width: number;
      height: number;
      bitrateKbps: number;
    }>;
    failure: string | null;
    createdAt: string;
  };
  AdCueDetection: {
    itemId: string;
    status: "detecting" | "ready" | "failed";
    threshold: number;
    proposed: Array<number>;
    failure: string | null;
    requestedAt: string;
    finishedAt: string | null;
  };
  AdCueDetectionInput: {
    itemId: string;
    status: "detecting" | "ready" | "failed";
    threshold: number;
    proposed: Array<number>;
    failure: string | null;
    requestedAt: string;
    finishedAt: string | null;
  };
  AdminDownloadDevice: {
    id: string;
    name: string;
    keyThumbprint: string;
    createdAt: string;
    downloads: Array<Schemas["Download"]>;
  };
  AdminDownloadDeviceInput: {
    id: string;
    name: string;
    keyThumbprint: string;
    createdAt: string;
    downloads: Array<Schemas["DownloadInput"]>;
  };
  AdminLiveEvent: {
    id: string;
    title: string;
    description: string | null;
    artworkUrl: string | null;
    scheduledStart: string;
    minPlanTier: number;
    maturityLevel: number;
    allowedRegions: Array<string> | null;
    state: "scheduled" | "live" | "ended";
    startedAt: string | null;
    endedAt: string | null;
    slowModeSeconds: number;
    recordingTitleId: string | null;
    viewersNow: number;
  };
  AdminLiveEventInput: {
    id: string;
    title: string;
    description: string | null;
    artworkUrl: string | null;
    scheduledStart: string;
    minPlanTier: number;
    maturityLevel: number;
    allowedRegions: Array<string> | null;
    state: "scheduled" | "live" | "ended";
    startedAt: string | null;
    endedAt: string | null;
    slowModeSeconds: number;
    recordingTitleId: string | null;
    viewersNow: number;
  };
  AdminSubscription: {
    id: string;
    userId: string;
    planId: string;
    pendingPlanId: string | null;
    provider: string;
    sandbox: boolean;
    providerSubscriptionId: string | null;
    providerCustomerId: string | null;
    status: "incomplete" | "trialing" | "active" | "past_due" | "grace" | "canceled" | "expired";
    interval: ("month" | "year") | null;
    currency: string | null;
    amountMinor: number | null;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    trialEnd: string | null;
    graceUntil: string | null;
    couponId: string | null;
    createdAt: string;
    endedAt: string | null;
  };
  AdminSubscriptionInput: {
    id: string;
    userId: string;
    planId: string;
    pendingPlanId: string | null;
    provider: string;
    sandbox: boolean;
    providerSubscriptionId: string | null;
    providerCustomerId: string | null;
    status: "incomplete" | "trialing" | "active" | "past_due" | "grace" | "canceled" | "expired";
    interval: ("month" | "year") | null;
    currency: string | null;
    amountMinor: number | null;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    trialEnd: string | null;
    graceUntil: string | null;
    couponId: string | null;
    createdAt: string;
    endedAt: string | null;
  };
  AdminTitle: {
    id: string;
    kind: "movie" | "series";
    title: string;
    releaseYear: number | null;
    runtimeMinutes: number | null;
    maturityRating: string | null;
    genres: Array<string>;
    artwork: {
      poster: string | null;
      backdrop: string | null;
    };
    ratingAverage: number | null;
    minPlanTier: number;
    originalTitle: string | null;
    synopsis: string;
    releaseDate: string | null;
    maturityLevel: number;
    genreDetails: Array<Schemas["Genre"]>;
    credits: Array<{
      person: Schemas["Person"];
      role: "actor" | "director" | "writer" | "producer" | "creator" | "composer";
      character: string | null;
    }>;
    tags: Array<string>;
    audioLanguages: Array<string>;
    subtitleLanguages: Array<string>;
    seasons: Array<{
      id: string;
      number: number;
      name: string | null;
      synopsis: string;
      releaseDate: string | null;
      episodes: Array<{
        id: string;
        number: number;
        name: string;
        synopsis: string;
        runtimeMinutes: number | null;
        releaseDate: string | null;
        status: "draft" | "processing" | "ready" | "published" | "archived";
      }>;
    }>;
    ratingCount: number;
    status: "draft" | "processing" | "ready" | "published" | "archived";
    publishAt: string | null;
    unpublishAt: string | null;
    allowedRegions: Array<string> | null;
    publishedAt: string | null;
    createdAt: string;
    updatedAt: string;
  };
  AdminTitleInput: {
    id: string;
    kind: "movie" | "series";
    title: string;
    releaseYear: number | null;
    runtimeMinutes: number | null;
    maturityRating: string | null;
    genres: Array<string>;
    artwork: {
      poster: string | null;
      backdrop: string | null;
    };
    ratingAverage: number | null;
    minPlanTier: number;
    originalTitle: string | null;
    synopsis: string;
    releaseDate: string | null;
    maturityLevel: number;
    genreDetails: Array<Schemas["GenreInput"]>;
    credits: Array<{
      person: Schemas["PersonInput"];
      role: "actor" | "director" | "writer" | "producer" | "creator" | "composer";
      character: string | null;
    }>;
    tags: Array<string>;
    audioLanguages: Array<string>;
    subtitleLanguages: Array<string>;
    seasons: Array<{
      id: string;
      number: number;
      name: string | null;
      synopsis: string;
      releaseDate: string | null;
      episodes: Array<{
        id: string;
        number: number;
        name: string;
        synopsis: string;
        runtimeMinutes: number | null;
        releaseDate: string | null;
        status: "draft" | "processing" | "ready" | "published" | "archived";
      }>;
    }>;
    ratingCount: number;
    status: "draft" | "processing" | "ready" | "published" | "archived";
    publishAt: string | null;
    unpublishAt: string | null;
    allowedRegions: Array<string> | null;
    publishedAt: string | null;
    createdAt: string;
    updatedAt: string;
  };
  AdminUser: {
    id: string;
    email: string;
    name: string;
    emailVerified: boolean;
    roles: Array<"viewer" | "content_manager" | "support" | "admin">;
    hasPassword: boolean;
    createdAt: string;
    disabled: boolean;
    activeSessions: number;
  };
  AdminUserInput: {
    id: string;
    email: string;
    name: string;
    emailVerified: boolean;
    roles: Array<"viewer" | "content_manager" | "support" | "admin">;
    hasPassword: boolean;
    createdAt: string;
    disabled: boolean;
    activeSessions: number;
  };
  AdminUserSession: {
    id: string;
    deviceName: string;
    deviceType: "web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other";
    ip: string | null;
    userAgent: string | null;
    authMethod: string;
    createdAt: string;
    lastSeenAt: string;
  };
  AdminUserSessionInput: {
    id: string;
    deviceName: string;
    deviceType: "web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other";
    ip: string | null;
    userAgent: string | null;
    authMethod: string;
    createdAt: string;
    lastSeenAt: string;
  };
  AdReport: {
    from: string;
    to: string;
    slotsRequested: number;
    slotsFilled: number;
    impressions: number;
    completes: number;
    spendMinor: number;
    fillRate: number | null;
    completionRate: number | null;
    ecpmMinor: number | null;
    campaigns: Array<{
      campaignId: string;
      name: string;
      impressions: number;
      starts: number;
      completes: number;
      skips: number;
      clicks: number;
      errors: number;
      spendMinor: number;
      completionRate: number | null;
      ecpmMinor: number | null;
    }>;
  };
  AdReportInput: {
    from: string;
    to: string;
    slotsRequested: number;
    slotsFilled: number;
    impressions: number;
    completes: number;
    spendMinor: number;
    fillRate: number | null;
    completionRate: number | null;
    ecpmMinor: number | null;
    campaigns: Array<{
      campaignId: string;
      name: string;
      impressions: number;
      starts: number;
      completes: number;
      skips: number;
      clicks: number;
      errors: number;
      spendMinor: number;
      completionRate: number | null;
      ecpmMinor: number | null;
    }>;
  };
  AdTargeting: {
    genres?: Array<string>;
    minMaturity?: number;
    maxMaturity?: number;
    regions?: Array<string>;
    deviceTypes?: Array<"web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other">;
    hoursUtc?: Array<number>;
    contentKinds?: Array<"vod" | "live">;
  };
  AdTargetingInput: {
    genres?: Array<string>;
    minMaturity?: number;
    maxMaturity?: number;
    regions?: Array<string>;
    deviceTypes?: Array<"web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other">;
    hoursUtc?: Array<number>;
    contentKinds?: Array<"vod" | "live">;
  };
  Advertiser: {
    id: string;
    name: string;
    createdAt: string;
  };
  AdvertiserInput: {
    id: string;
    name: string;
    createdAt: string;
  };
  AnalyticsFigureRows: {
    items: Array<{
      [key: string]: string | number | null;
    }>;
  };
  AnalyticsFigureRowsInput: {
    items: Array<{
      [key: string]: string | number | null;
    }>;
  };
  AnalyticsQoeFigures: {
    bucket: string;
    group: string | null;
    plays: number;
    averageStartupMs: number | null;
    startupP50Ms: number | null;
    startupP95Ms: number | null;
    rebufferCount: number;
    rebufferRatio: number | null;
    bitrateSwitches: number;
    errorRate: number | null;
  };
  AnalyticsQoeFiguresInput: {
    bucket: string;
    group: string | null;
    plays: number;
    averageStartupMs: number | null;
    startupP50Ms: number | null;
    startupP95Ms: number | null;
    rebufferCount: number;
    rebufferRatio: number | null;
    bitrateSwitches: number;
    errorRate: number | null;
  };
  AnalyticsTitleFigures: {
    bucket: string;
    titleId: string;
    plays: number;
    finishes: number;
    watchHours: number;
    completionRate: number | null;
  };
  AnalyticsTitleFiguresInput: {
    bucket: string;
    titleId: string;
    plays: number;
    finishes: number;
    watchHours: number;
    completionRate: number | null;
  };
  Announcement: {
    message: string;
    tone: "info" | "warning";
  };
  AnnouncementInput: {
    message: string;
    tone: "info" | "warning";
  };
  ApiKey: {
    id: string;
    name: string;
    prefix: string;
    scopes: Array<string>;
    createdBy: string | null;
    parentKeyId: string | null;
    createdAt: string;
    expiresAt: string | null;
    lastUsedAt: string | null;
    lastUsedIp: string | null;
    revokedAt: string | null;
  };
  ApiKeyInput: {
    id: string;
    name: string;
    prefix: string;
    scopes: Array<string>;
    createdBy: string | null;
    parentKeyId: string | null;
    createdAt: string;
    expiresAt: string | null;
    lastUsedAt: string | null;
    lastUsedIp: string | null;
    revokedAt: string | null;
  };
  AuditEntry: {
    id: string;
    actor: {
      type: "user" | "api_key" | "system";
      id: string | null;
    };
    action: string;
    targetType: string;
    targetId: string | null;
    before: unknown;
    after: unknown;
    ip: string | null;
    requestId: string | null;
    createdAt: string;
  };
  AuditEntryInput: {
    id: string;
    actor: {
      type: "user" | "api_key" | "system";
      id: string | null;
    };
    action: string;
    targetType: string;
    targetId: string | null;
    before: unknown;
    after: unknown;
    ip: string | null;
    requestId: string | null;
    createdAt: string;
  };
  AuthResult: {
    user: Schemas["User"];
    accessToken: string;
    accessTokenExpiresAt: string;
    refreshToken: string;
    sessionId: string;
  };
  AuthResultInput: {
    user: Schemas["UserInput"];
    accessToken: string;
    accessTokenExpiresAt: string;
    refreshToken: string;
    sessionId: string;
  };
  Checkout: {
    subscriptionId: string;
    provider: "stripe" | "razorpay" | "sandbox";
    sandbox: boolean;
    checkoutUrl: string;
    clientParams: {
      [key: string]: string;
    };
    amountMinor: number;
    currency: string;
  };
  CheckoutInput: {
    subscriptionId: string;
    provider: "stripe" | "razorpay" | "sandbox";
    sandbox: boolean;
    checkoutUrl: string;
    clientParams: {
      [key: string]: string;
    };
    amountMinor: number;
    currency: string;
  };
  Comment: {
    id: string;
    titleId: string;
    parentId: string | null;
    authorName: string;
    body: string | null;
    replyCount: number;
    createdAt: string;
    editedAt: string | null;
    mine: boolean;
  };
  CommentInput: {
    id: string;
    titleId: string;
    parentId: string | null;
    authorName: string;
    body: string | null;
    replyCount: number;
    createdAt: string;
    editedAt: string | null;
    mine: boolean;
  };
  ContinueWatchingItem: {
    itemId: string;
    titleId: string;
    kind: "movie" | "episode";
    name: string;
    positionSeconds: number;
    durationSeconds: number | null;
    updatedAt: string;
  };
  ContinueWatchingItemInput: {
    itemId: string;
    titleId: string;
    kind: "movie" | "episode";
    name: string;
    positionSeconds: number;
    durationSeconds: number | null;
    updatedAt: string;
  };
  Coupon: {
    id: string;
    code: string;
    name: string;
    percentOff: number | null;
    amountOffMinor: number | null;
    currency: string | null;
    duration: "once" | "repeating" | "forever";
    durationMonths: number | null;
    validFrom: string | null;
    validUntil: string | null;
    maxRedemptions: number | null;
    perUserLimit: number;
    redemptionCount: number;
    firstSubscriptionOnly: boolean;
    planIds: Array<string> | null;
    active: boolean;
  };
  CouponInput: {
    id: string;
    code: string;
    name: string;
    percentOff: number | null;
    amountOffMinor: number | null;
    currency: string | null;
    duration: "once" | "repeating" | "forever";
    durationMonths: number | null;
    validFrom: string | null;
    validUntil: string | null;
    maxRedemptions: number | null;
    perUserLimit: number;
    redemptionCount: number;
    firstSubscriptionOnly: boolean;
    planIds: Array<string> | null;
    active: boolean;
  };
  Download: {
    id: string;
    itemId: string;
    itemName: string | null;
    deviceId: string;
    maxHeight: number;
    status: "active" | "expired" | "returned";
    createdAt: string;
    licenceExpiresAt: string;
    renewedAt: string | null;
    returnedAt: string | null;
  };
  DownloadDevice: {
    id: string;
    name: string;
    keyThumbprint: string;
    createdAt: string;
  };
  DownloadDeviceInput: {
    id: string;
    name: string;
    keyThumbprint: string;
    createdAt: string;
  };
  DownloadInput: {
    id: string;
    itemId: string;
    itemName: string | null;
    deviceId: string;
    maxHeight: number;
    status: "active" | "expired" | "returned";
    createdAt: string;
    licenceExpiresAt: string;
    renewedAt: string | null;
    returnedAt: string | null;
  };
  DownloadPackage: {
    masterPlaylist: string;
    playlists: Array<{
      path: string;
      text: string;
    }>;
    files: Array<{
      path: string;
      url: string;
    }>;
  };
  DownloadPackageInput: {
    masterPlaylist: string;
    playlists: Array<{
      path: string;
      text: string;
    }>;
    files: Array<{
      path: string;
      url: string;
    }>;
  };
  Genre: {
    id: string;
    slug: string;
    name: string;
  };
  GenreInput: {
    id: string;
    slug: string;
    name: string;
  };
  HistoryItem: {
    itemId: string;
    titleId: string;
    name: string | null;
    positionSeconds: number;
    durationSeconds: number | null;
    finished: boolean;
    watchedAt: string;
  };
  HistoryItemInput: {
    itemId: string;
    titleId: string;
    name: string | null;
    positionSeconds: number;
    durationSeconds: number | null;
    finished: boolean;
    watchedAt: string;
  };
  LiveEvent: {
    id: string;
    title: string;
    description: string | null;
    artworkUrl: string | null;
    scheduledStart: string;
    minPlanTier: number;
    maturityLevel: number;
    allowedRegions: Array<string> | null;
    state: "scheduled" | "live" | "ended";
    startedAt: string | null;
    endedAt: string | null;
    slowModeSeconds: number;
    recordingTitleId: string | null;
  };
  LiveEventInput: {
    id: string;
    title: string;
    description: string | null;
    artworkUrl: string | null;
    scheduledStart: string;
    minPlanTier: number;
    maturityLevel: number;
    allowedRegions: Array<string> | null;
    state: "scheduled" | "live" | "ended";
    startedAt: string | null;
    endedAt: string | null;
    slowModeSeconds: number;
    recordingTitleId: string | null;
  };
  ModerationComment: {
    id: string;
    titleId: string;
    parentId: string | null;
    authorId: string;
    authorName: string;
    body: string;
    createdAt: string;
    editedAt: string | null;
    hiddenAt: string | null;
    reportCount: number;
    reports: Array<{
      reason: "spam" | "harassment" | "spoiler" | "inappropriate" | "other";
      count: number;
    }>;
    lastReportedAt: string | null;
  };
  ModerationCommentInput: {
    id: string;
    titleId: string;
    parentId: string | null;
    authorId: string;
    authorName: string;
    body: string;
    createdAt: string;
    editedAt: string | null;
    hiddenAt: string | null;
    reportCount: number;
    reports: Array<{
      reason: "spam" | "harassment" | "spoiler" | "inappropriate" | "other";
      count: number;
    }>;
    lastReportedAt: string | null;
  };
  MyListItem: {
    titleId: string;
    kind: "movie" | "series";
    name: string;
    addedAt: string;
  };
  MyListItemInput: {
    titleId: string;
    kind: "movie" | "series";
    name: string;
    addedAt: string;
  };
  OfflineLicence: {
    format: string;
    kid: string;
    body: string;
    signature: string;
  };
  OfflineLicenceInput: {
    format: string;
    kid: string;
    body: string;
    signature: string;
  };
  Person: {
    id: string;
    name: string;
    biography: string | null;
  };
  PersonInput: {
    id: string;
    name: string;
    biography: string | null;
  };
  Plan: {
    id: string;
    name: string;
    tier: number;
    trialDays: number;
    hasAds: boolean;
    active: boolean;
    prices: Array<{
      currency: string;
      interval: "month" | "year";
      amountMinor: number;
    }>;
    maxHeight: number;
    maxStreams: number;
    maxDevices: number;
    maxDownloads: number;
    maxDownloadDevices: number;
    adPreroll: boolean;
    adMidrollIntervalMinutes: number;
    adPodMax: number;
  };
  PlanInput: {
    id: string;
    name: string;
    tier: number;
    trialDays: number;
    hasAds: boolean;
    active: boolean;
    prices: Array<{
      currency: string;
      interval: "month" | "year";
      amountMinor: number;
    }>;
    maxHeight: number;
    maxStreams: number;
    maxDevices: number;
    maxDownloads: number;
    maxDownloadDevices: number;
    adPreroll: boolean;
    adMidrollIntervalMinutes: number;
    adPodMax: number;
  };
  PlaybackSession: {
    sessionId: string;
    itemId: string;
    itemName: string;
    live: boolean;
    token: string;
    expiresAt: string;
    masterPlaylistUrl: string;
    maxHeight: number;
    maxBitrate: number | null;
    renditions: Array<{
      width: number;
      height: number;
      bandwidth: number;
    }>;
    durationSeconds: number | null;
    resumePositionSeconds: number;
    audioTracks: Array<{
      language: string;
      label: string;
      isDefault: boolean;
    }>;
    subtitleTracks: Array<{
      language: string;
      label: string;
      isDefault: boolean;
      forced: boolean;
    }>;
    thumbnailsUrl: string | null;
    heartbeatIntervalSeconds: number;
    ads?: {
      vmapUrl: string;
    };
    cdn: {
      cookies: {
        [key: string]: string;
      };
    } | null;
  };
  PlaybackSessionInput: {
    sessionId: string;
    itemId: string;
    itemName: string;
    live: boolean;
    token: string;
    expiresAt: string;
    masterPlaylistUrl: string;
    maxHeight: number;
    maxBitrate: number | null;
    renditions: Array<{
      width: number;
      height: number;
      bandwidth: number;
    }>;
    durationSeconds: number | null;
    resumePositionSeconds: number;
    audioTracks: Array<{
      language: string;
      label: string;
      isDefault: boolean;
    }>;
    subtitleTracks: Array<{
      language: string;
      label: string;
      isDefault: boolean;
      forced: boolean;
    }>;
    thumbnailsUrl: string | null;
    heartbeatIntervalSeconds: number;
    ads?: {
      vmapUrl: string;
    };
    cdn: {
      cookies: {
        [key: string]: string;
      };
    } | null;
  };
  Problem: {
    type: string;
    title: string;
    status: number;
    detail?: string;
    instance?: string;
    code: string;
    requestId: string;
    errors?: Array<{
      in: "body" | "querystring" | "params" | "headers";
      path: string;
      message: string;
    }>;
    [key: string]: unknown;
  };
  ProblemInput: {
    type: string;
    title: string;
    status: number;
    detail?: string;
    instance?: string;
    code: string;
    requestId: string;
    errors?: Array<{
      in: "body" | "querystring" | "params" | "headers";
      path: string;
      message: string;
    }>;
    [key: string]: unknown;
  };
  Profile: {
    id: string;
    name: string;
    avatar: string | null;
    isKids: boolean;
    maturityLimit: number | null;
    hasPin: boolean;
    language: string;
    createdAt: string;
  };
  ProfileInput: {
    id: string;
    name: string;
    avatar: string | null;
    isKids: boolean;
    maturityLimit: number | null;
    hasPin: boolean;
    language: string;
    createdAt: string;
  };
  RecommendationRow: {
    kind: "top_picks" | "because" | "trending" | "genre" | "popular";
    title: string;
    key: string | null;
    items: Array<Schemas["RecommendedItem"]>;
  };
  RecommendationRowInput: {
    kind: "top_picks" | "because" | "trending" | "genre" | "popular";
    title: string;
    key: string | null;
    items: Array<Schemas["RecommendedItemInput"]>;
  };
  RecommendationWhy: {
    subject: string;
    titleId: string;
    personalised: boolean;
    excludedForProfile: boolean;
    rules: Array<{
      row: string;
      action: "pin" | "exclude";
    }>;
    appearances: Array<{
      row: "top_picks" | "because" | "trending" | "genre" | "popular";
      rowTitle: string;
      position: number;
      score: number;
      reason: string;
      becauseOf: {
        titleId: string;
        name: string;
      } | null;
    }>;
  };
  RecommendationWhyInput: {
    subject: string;
    titleId: string;
    personalised: boolean;
    excludedForProfile: boolean;
    rules: Array<{
      row: string;
      action: "pin" | "exclude";
    }>;
    appearances: Array<{
      row: "top_picks" | "because" | "trending" | "genre" | "popular";
      rowTitle: string;
      position: number;
      score: number;
      reason: string;
      becauseOf: {
        titleId: string;
        name: string;
      } | null;
    }>;
  };
  RecommendedItem: {
    titleId: string;
    name: string;
    reason: string;
  };
  RecommendedItemInput: {
    titleId: string;
    name: string;
    reason: string;
  };
  RenditionQuality: {
    ssim: number;
    psnr: number;
    frames: number;
  };
  RenditionQualityInput: {
    ssim: number;
    psnr: number;
    frames: number;
  };
  Session: {
    id: string;
    deviceName: string;
    deviceType: "web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other";
    ip: string | null;
    userAgent: string | null;
    authMethod: string;
    createdAt: string;
    lastSeenAt: string;
    current: boolean;
  };
  SessionInput: {
    id: string;
    deviceName: string;
    deviceType: "web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other";
    ip: string | null;
    userAgent: string | null;
    authMethod: string;
    createdAt: string;
    lastSeenAt: string;
    current: boolean;
  };
  Settings: {
    blockedWords: Array<unknown>;
    signUpsOpen: boolean;
    announcement: Schemas["Announcement"] | null;
  };
  SettingsInput: {
    blockedWords: Array<string>;
    signUpsOpen: boolean;
    announcement: Schemas["AnnouncementInput"] | null;
  };
  StartPlayback: {
    codecs?: Array<"hevc">;
  };
  StartPlaybackInput: {
    codecs?: Array<"hevc">;
  };
  Stream: {
    id: string;
    deviceName: string;
    itemId: string;
    itemName: string;
    startedAt: string;
    lastHeartbeatAt: string;
    positionSeconds: number;
  };
  StreamInput: {
    id: string;
    deviceName: string;
    itemId: string;
    itemName: string;
    startedAt: string;
    lastHeartbeatAt: string;
    positionSeconds: number;
  };
  SubscriptionMetrics: {
    asOf: string;
    mrr: Array<{
      currency: string;
      amountMinor: number;
    }>;
    activeByPlan: Array<{
      planId: string;
      count: number;
    }>;
    churn: {
      windowDays: number;
      subscribersAtStart: number;
      ended: number;
      rate: number;
    };
  };
  SubscriptionMetricsInput: {
    asOf: string;
    mrr: Array<{
      currency: string;
      amountMinor: number;
    }>;
    activeByPlan: Array<{
      planId: string;
      count: number;
    }>;
    churn: {
      windowDays: number;
      subscribersAtStart: number;
      ended: number;
      rate: number;
    };
  };
  SubscriptionStatus: {
    planId: string;
    state: "incomplete" | "trialing" | "active" | "past_due" | "grace" | "canceled" | "expired" | "none";
    subscriptionId: string | null;
    provider: string | null;
    sandbox: boolean;
    interval: ("month" | "year") | null;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    trialEnd: string | null;
    pendingPlanId: string | null;
    offer: {
      code: string;
      name: string;
    } | null;
    entitlements: {
      maxHeight: number;
      maxStreams: number;
      maxDevices: number;
      maxDownloads: number;
      maxDownloadDevices: number;
      planId: string;
      planName: string;
      tier: number;
      hasAds: boolean;
    };
  };
  SubscriptionStatusInput: {
    planId: string;
    state: "incomplete" | "trialing" | "active" | "past_due" | "grace" | "canceled" | "expired" | "none";
    subscriptionId: string | null;
    provider: string | null;
    sandbox: boolean;
    interval: ("month" | "year") | null;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    trialEnd: string | null;
    pendingPlanId: string | null;
    offer: {
      code: string;
      name: string;
    } | null;
    entitlements: {
      maxHeight: number;
      maxStreams: number;
      maxDevices: number;
      maxDownloads: number;
      maxDownloadDevices: number;
      planId: string;
      planName: string;
      tier: number;
      hasAds: boolean;
    };
  };
  TitleDetail: {
    id: string;
    kind: "movie" | "series";
    title: string;
    releaseYear: number | null;
    runtimeMinutes: number | null;
    maturityRating: string | null;
    genres: Array<string>;
    artwork: {
      poster: string | null;
      backdrop: string | null;
    };
    ratingAverage: number | null;
    minPlanTier: number;
    originalTitle: string | null;
    synopsis: string;
    releaseDate: string | null;
    maturityLevel: number;
    genreDetails: Array<Schemas["Genre"]>;
    credits: Array<{
      person: Schemas["Person"];
      role: "actor" | "director" | "writer" | "producer" | "creator" | "composer";
      character: string | null;
    }>;
    tags: Array<string>;
    audioLanguages: Array<string>;
    subtitleLanguages: Array<string>;
    seasons: Array<{
      id: string;
      number: number;
      name: string | null;
      synopsis: string;
      releaseDate: string | null;
      episodes: Array<{
        id: string;
        number: number;
        name: string;
        synopsis: string;
        runtimeMinutes: number | null;
        releaseDate: string | null;
        status: "draft" | "processing" | "ready" | "published" | "archived";
      }>;
    }>;
    ratingCount: number;
  };
  TitleDetailInput: {
    id: string;
    kind: "movie" | "series";
    title: string;
    releaseYear: number | null;
    runtimeMinutes: number | null;
    maturityRating: string | null;
    genres: Array<string>;
    artwork: {
      poster: string | null;
      backdrop: string | null;
    };
    ratingAverage: number | null;
    minPlanTier: number;
    originalTitle: string | null;
    synopsis: string;
    releaseDate: string | null;
    maturityLevel: number;
    genreDetails: Array<Schemas["GenreInput"]>;
    credits: Array<{
      person: Schemas["PersonInput"];
      role: "actor" | "director" | "writer" | "producer" | "creator" | "composer";
      character: string | null;
    }>;
    tags: Array<string>;
    audioLanguages: Array<string>;
    subtitleLanguages: Array<string>;
    seasons: Array<{
      id: string;
      number: number;
      name: string | null;
      synopsis: string;
      releaseDate: string | null;
      episodes: Array<{
        id: string;
        number: number;
        name: string;
        synopsis: string;
        runtimeMinutes: number | null;
        releaseDate: string | null;
        status: "draft" | "processing" | "ready" | "published" | "archived";
      }>;
    }>;
    ratingCount: number;
  };
  TitleSummary: {
    id: string;
    kind: "movie" | "series";
    title: string;
    releaseYear: number | null;
    runtimeMinutes: number | null;
    maturityRating: string | null;
    genres: Array<string>;
    artwork: {
      poster: string | null;
      backdrop: string | null;
    };
    ratingAverage: number | null;
    minPlanTier: number;
  };
  TitleSummaryInput: {
    id: string;
    kind: "movie" | "series";
    title: string;
    releaseYear: number | null;
    runtimeMinutes: number | null;
    maturityRating: string | null;
    genres: Array<string>;
    artwork: {
      poster: string | null;
      backdrop: string | null;
    };
    ratingAverage: number | null;
    minPlanTier: number;
  };
  TranscodeJob: {
    id: string;
    itemId: string;
    status: "queued" | "processing" | "ready" | "failed" | "cancelled" | "retiring" | "retired";
    progress: number;
    attempts: number;
    sourceName: string;
    sourceBytes: number;
    failure: {
      code: string;
      reason: string;
    } | null;
    durationSeconds: number | null;
    width: number | null;
    height: number | null;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
  };
  TranscodeJobDetail: {
    id: string;
    itemId: string;
    status: "queued" | "processing" | "ready" | "failed" | "cancelled" | "retiring" | "retired";
    progress: number;
    attempts: number;
    sourceName: string;
    sourceBytes: number;
    failure: {
      code: string;
      reason: string;
    } | null;
    durationSeconds: number | null;
    width: number | null;
    height: number | null;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    ladderMode: ("fixed" | "content-aware") | null;
    renditions: Array<{
      name: string;
      width: number;
      height: number;
      tier: string;
      codecs: string;
      bandwidth: number;
      averageBandwidth: number;
      quality: Schemas["RenditionQuality"] | null;
    }>;
    droppedRenditions: Array<{
      name: string;
      width: number;
      height: number;
      quality: Schemas["RenditionQuality"];
    }>;
  };
  TranscodeJobDetailInput: {
    id: string;
    itemId: string;
    status: "queued" | "processing" | "ready" | "failed" | "cancelled" | "retiring" | "retired";
    progress: number;
    attempts: number;
    sourceName: string;
    sourceBytes: number;
    failure: {
      code: string;
      reason: string;
    } | null;
    durationSeconds: number | null;
    width: number | null;
    height: number | null;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    ladderMode: ("fixed" | "content-aware") | null;
    renditions: Array<{
      name: string;
      width: number;
      height: number;
      tier: string;
      codecs: string;
      bandwidth: number;
      averageBandwidth: number;
      quality: Schemas["RenditionQualityInput"] | null;
    }>;
    droppedRenditions: Array<{
      name: string;
      width: number;
      height: number;
      quality: Schemas["RenditionQualityInput"];
    }>;
  };
  TranscodeJobInput: {
    id: string;
    itemId: string;
    status: "queued" | "processing" | "ready" | "failed" | "cancelled" | "retiring" | "retired";
    progress: number;
    attempts: number;
    sourceName: string;
    sourceBytes: number;
    failure: {
      code: string;
      reason: string;
    } | null;
    durationSeconds: number | null;
    width: number | null;
    height: number | null;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
  };
  User: {
    id: string;
    email: string;
    name: string;
    emailVerified: boolean;
    roles: Array<"viewer" | "content_manager" | "support" | "admin">;
    hasPassword: boolean;
    createdAt: string;
  };
  UserInput: {
    id: string;
    email: string;
    name: string;
    emailVerified: boolean;
    roles: Array<"viewer" | "content_manager" | "support" | "admin">;
    hasPassword: boolean;
    createdAt: string;
  };
}

export interface Operations {
  /** POST /api/auth/register — Create an account (then sign in with login) */
  register: {
    path: never;
    query: never;
    body: {
      email: string;
      password: string;
      name: string;
    };
    response: {
      status: "accepted";
    };
  };
  /** POST /api/auth/login — Sign in with email and password */
  login: {
    path: never;
    query: never;
    body: {
      email: string;
      password: string;
      device?: {
        name: string;
        type: "web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other";
      };
      replaceSessionId?: string;
    };
    response: Schemas["AuthResult"];
  };
  /** POST /api/auth/refresh — Trade a refresh token for a new pair (the old one is spent) */
  refreshTokens: {
    path: never;
    query: never;
    body: {
      refreshToken: string;
    };
    response: Schemas["AuthResult"];
  };
  /** POST /api/auth/logout — Sign this device out */
  logout: {
    path: never;
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/auth/logout-all — Sign every device out, this one included */
  logoutAll: {
    path: never;
    query: never;
    body: never;
    response: {
      signedOut: number;
    };
  };
  /** GET /api/auth/sessions — This account's signed-in devices */
  listSessions: {
    path: never;
    query: never;
    body: never;
    response: {
      sessions: Array<Schemas["Session"]>;
    };
  };
  /** DELETE /api/auth/sessions/{id} — Sign one of your devices out */
  endSession: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/auth/password — Change your password (other devices are signed out) */
  changePassword: {
    path: never;
    query: never;
    body: {
      currentPassword: string;
      newPassword: string;
    };
    response: void;
  };
  /** POST /api/auth/verify-email — Confirm an email address with the mailed token */
  verifyEmail: {
    path: never;
    query: never;
    body: {
      token: string;
    };
    response: void;
  };
  /** POST /api/auth/verify-email/resend — Mail a new confirmation link */
  resendVerificationEmail: {
    path: never;
    query: never;
    body: never;
    response: {
      status: "accepted";
    };
  };
  /** POST /api/auth/password-reset/request — Mail a password-reset link */
  requestPasswordReset: {
    path: never;
    query: never;
    body: {
      email: string;
    };
    response: {
      status: "accepted";
    };
  };
  /** POST /api/auth/password-reset/confirm — Set a new password with the mailed token; signs every device out */
  confirmPasswordReset: {
    path: never;
    query: never;
    body: {
      token: string;
      password: string;
    };
    response: void;
  };
  /** GET /.well-known/jwks.json — Public keys that verify Marquee access tokens */
  getJwks: {
    path: never;
    query: never;
    body: never;
    response: {
      keys: Array<{
        [key: string]: unknown;
      }>;
    };
  };
  /** GET /api/auth/oidc/providers — The sign-in providers configured (OIDC_PROVIDERS) */
  listOidcProviders: {
    path: never;
    query: never;
    body: never;
    response: {
      providers: Array<{
        id: string;
        name: string;
        startUrl: string;
      }>;
    };
  };
  /** GET /api/auth/oidc/{provider}/start — Go sign in at a provider (authorization code + PKCE) */
  startOidcSignIn: {
    path: {
      provider: string;
    };
    query: {
      returnTo?: string;
    };
    body: never;
    response: void;
  };
  /** GET /api/auth/oidc/{provider}/callback — Where the provider sends the browser back */
  completeOidcSignIn: {
    path: {
      provider: string;
    };
    query: {
      code?: string;
      state?: string;
      iss?: string;
      error?: string;
      error_description?: string;
    };
    body: never;
    response: Schemas["AuthResult"];
  };
  /** POST /api/auth/oidc/exchange — Trade the one-time sign-in code for tokens */
  exchangeOidcCode: {
    path: never;
    query: never;
    body: {
      loginCode: string;
    };
    response: Schemas["AuthResult"];
  };
  /** GET /api/me — The signed-in account and the profile this device watches as */
  getMe: {
    path: never;
    query: never;
    body: never;
    response: {
      user: Schemas["User"];
      activeProfile: Schemas["Profile"] | null;
    };
  };
  /** PATCH /api/me — Change your name */
  updateMe: {
    path: never;
    query: never;
    body: {
      name?: string;
    };
    response: Schemas["User"];
  };
  /** GET /api/me/security-events — Recent security events on your account (sign-ins, refresh-token reuse, resets…) */
  listSecurityEvents: {
    path: never;
    query: never;
    body: never;
    response: {
      events: Array<{
        id: string;
        kind: string;
        ip: string | null;
        userAgent: string | null;
        details: {
          [key: string]: unknown;
        };
        createdAt: string;
      }>;
    };
  };
  /** GET /api/profiles — This account's profiles */
  listProfiles: {
    path: never;
    query: never;
    body: never;
    response: {
      profiles: Array<Schemas["Profile"]>;
      activeProfileId: string | null;
    };
  };
  /** POST /api/profiles — Add a profile */
  createProfile: {
    path: never;
    query: never;
    body: {
      name: string;
      avatar?: string | null;
      isKids?: boolean;
      maturityLimit?: number | null;
      pin?: string | null;
      language?: string;
    };
    response: Schemas["Profile"];
  };
  /** PATCH /api/profiles/{id} — Change a profile */
  updateProfile: {
    path: {
      id: string;
    };
    query: never;
    body: {
      name?: string;
      avatar?: string | null;
      isKids?: boolean;
      maturityLimit?: number | null;
      pin?: string | null;
      language?: string;
    };
    response: Schemas["Profile"];
  };
  /** DELETE /api/profiles/{id} — Remove a profile */
  deleteProfile: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/profiles/{id}/select — Watch as this profile on this device (send the PIN if it has one) */
  selectProfile: {
    path: {
      id: string;
    };
    query: never;
    body: {
      pin?: string;
    };
    response: Schemas["Profile"];
  };
  /** GET /api/admin/users — Find accounts */
  adminListUsers: {
    path: never;
    query: {
      q?: string;
      role?: "viewer" | "content_manager" | "support" | "admin";
      limit?: number;
      cursor?: string;
    };
    body: never;
    response: {
      items: Array<Schemas["AdminUser"]>;
      nextCursor: string | null;
    };
  };
  /** PATCH /api/admin/users/{id} — Change roles or disable an account (disabling signs every device out) */
  adminUpdateUser: {
    path: {
      id: string;
    };
    query: never;
    body: {
      roles?: Array<"viewer" | "content_manager" | "support" | "admin">;
      disabled?: boolean;
    };
    response: {
      id: string;
      email: string;
      name: string;
      emailVerified: boolean;
      roles: Array<"viewer" | "content_manager" | "support" | "admin">;
      hasPassword: boolean;
      createdAt: string;
      disabled: boolean;
    };
  };
  /** GET /api/admin/users/{id}/sessions — An account's signed-in devices, most recently seen first */
  adminListUserSessions: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      sessions: Array<Schemas["AdminUserSession"]>;
    };
  };
  /** DELETE /api/admin/users/{id}/sessions/{sessionId} — Sign one device of an account out */
  adminRevokeUserSession: {
    path: {
      id: string;
      sessionId: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/admin/audit — The audit log: every administrative change, newest first */
  adminListAuditEntries: {
    path: never;
    query: {
      limit?: number;
      cursor?: string;
      actorId?: string;
      targetType?: string;
      targetId?: string;
      action?: string;
    };
    body: never;
    response: {
      items: Array<Schemas["AuditEntry"]>;
      nextCursor: string | null;
    };
  };
  /** GET /api/admin/api-keys — Service API keys */
  adminListApiKeys: {
    path: never;
    query: never;
    body: never;
    response: {
      apiKeys: Array<Schemas["ApiKey"]>;
    };
  };
  /** POST /api/admin/api-keys — Create a service API key (the key is shown only in this answer) */
  adminCreateApiKey: {
    path: never;
    query: never;
    body: {
      name: string;
      scopes: Array<"content:read-unpublished" | "content:write" | "media:manage" | "users:read" | "users:manage" | "roles:assign" | "subscriptions:read" | "subscriptions:refund" | "plans:manage" | "audit:read" | "api-keys:manage" | "jobs:manage" | "mail:read" | "analytics:read" | "settings:manage" | "playback:keys" | "comments:moderate" | "ads:manage">;
      expiresInDays?: number;
    };
    response: {
      key: string;
      apiKey: Schemas["ApiKey"];
    };
  };
  /** DELETE /api/admin/api-keys/{id} — Revoke a service API key */
  adminRevokeApiKey: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/admin/mail — Mail written to the outbox (embedded mode, no SMTP_URL), newest first */
  adminListMail: {
    path: never;
    query: {
      limit?: number;
      cursor?: string;
      to?: string;
    };
    body: never;
    response: {
      items: Array<{
        id: string;
        to: string;
        subject: string;
        text: string;
        html: string | null;
        redacted: boolean;
        createdAt: string;
      }>;
      nextCursor: string | null;
    };
  };
  /** GET /api/videos — Browse and search published titles */
  listTitles: {
    path: never;
    query: {
      q?: string;
      genre?: string;
      kind?: "movie" | "series";
      yearFrom?: number;
      yearTo?: number;
      language?: string;
      maxPlanTier?: number;
      sort?: "newest" | "popular" | "rating" | "title" | "relevance";
      limit?: number;
      cursor?: string;
    };
    body: never;
    response: {
      items: Array<Schemas["TitleSummary"]>;
      nextCursor: string | null;
    };
  };
  /** GET /api/titles/{id} — A title: details, cast and crew, seasons and episodes */
  getTitle: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["TitleDetail"];
  };
  /** GET /api/home — The home screen in one request: rows of titles */
  getHome: {
    path: never;
    query: never;
    body: never;
    response: {
      rows: Array<{
        id: string;
        title: string;
        items: Array<Schemas["TitleSummary"]>;
      }>;
    };
  };
  /** GET /api/genres — All genres */
  listGenres: {
    path: never;
    query: never;
    body: never;
    response: {
      genres: Array<Schemas["Genre"]>;
    };
  };
  /** GET /api/maturity-ratings — The maturity ratings in use and the age each stands for */
  listMaturityRatings: {
    path: never;
    query: never;
    body: never;
    response: {
      ratings: Array<{
        code: string;
        system: string;
        level: number;
        label: string;
      }>;
    };
  };
  /** POST /api/admin/titles — Create a title (a draft) */
  adminCreateTitle: {
    path: never;
    query: never;
    body: {
      kind: "movie" | "series";
      title: string;
      originalTitle?: string;
      synopsis?: string;
      releaseDate?: string;
      releaseYear?: number;
      runtimeMinutes?: number;
      maturityRating?: string;
      genreIds?: Array<string>;
      credits?: Array<{
        personId: string;
        role: "actor" | "director" | "writer" | "producer" | "creator" | "composer";
        character?: string;
      }>;
      tags?: Array<string>;
      audioLanguages?: Array<string>;
      subtitleLanguages?: Array<string>;
      publishAt?: string | null;
      unpublishAt?: string | null;
      allowedRegions?: Array<string> | null;
      minPlanTier?: number;
    };
    response: Schemas["AdminTitle"];
  };
  /** GET /api/admin/titles/{id} — A title as admins see it, drafts included */
  adminGetTitle: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["AdminTitle"];
  };
  /** PATCH /api/admin/titles/{id} — Change a title */
  adminUpdateTitle: {
    path: {
      id: string;
    };
    query: never;
    body: {
      title?: string;
      originalTitle?: string;
      synopsis?: string;
      releaseDate?: string;
      releaseYear?: number;
      runtimeMinutes?: number;
      maturityRating?: string;
      genreIds?: Array<string>;
      credits?: Array<{
        personId: string;
        role: "actor" | "director" | "writer" | "producer" | "creator" | "composer";
        character?: string;
      }>;
      tags?: Array<string>;
      audioLanguages?: Array<string>;
      subtitleLanguages?: Array<string>;
      publishAt?: string | null;
      unpublishAt?: string | null;
      allowedRegions?: Array<string> | null;
      minPlanTier?: number;
    };
    response: Schemas["AdminTitle"];
  };
  /** DELETE /api/admin/titles/{id} — Delete a title, its seasons and episodes */
  adminDeleteTitle: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/admin/titles/{id}/publish — Publish a title (visible from its publishAt, if any) */
  adminPublishTitle: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["AdminTitle"];
  };
  /** POST /api/admin/titles/{id}/unpublish — Hide a published title (archived) */
  adminUnpublishTitle: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["AdminTitle"];
  };
  /** POST /api/admin/titles/{id}/seasons — Add a season to a series */
  adminCreateSeason: {
    path: {
      id: string;
    };
    query: never;
    body: {
      number: number;
      name?: string;
      synopsis?: string;
      releaseDate?: string;
    };
    response: {
      id: string;
    };
  };
  /** PATCH /api/admin/seasons/{id} — Change a season */
  adminUpdateSeason: {
    path: {
      id: string;
    };
    query: never;
    body: {
      number?: number;
      name?: string;
      synopsis?: string;
      releaseDate?: string;
    };
    response: {
      id: string;
    };
  };
  /** DELETE /api/admin/seasons/{id} — Delete a season and its episodes */
  adminDeleteSeason: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/admin/seasons/{id}/episodes — Add an episode to a season */
  adminCreateEpisode: {
    path: {
      id: string;
    };
    query: never;
    body: {
      number: number;
      name: string;
      synopsis?: string;
      runtimeMinutes?: number;
      releaseDate?: string;
      publishAt?: string | null;
    };
    response: {
      id: string;
    };
  };
  /** PATCH /api/admin/episodes/{id} — Change an episode */
  adminUpdateEpisode: {
    path: {
      id: string;
    };
    query: never;
    body: {
      number?: number;
      name?: string;
      synopsis?: string;
      runtimeMinutes?: number;
      releaseDate?: string;
      publishAt?: string | null;
    };
    response: {
      id: string;
    };
  };
  /** DELETE /api/admin/episodes/{id} — Delete an episode */
  adminDeleteEpisode: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/admin/episodes/{id}/publish — Publish an episode */
  adminPublishEpisode: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      id: string;
    };
  };
  /** POST /api/admin/episodes/{id}/unpublish — Hide an episode */
  adminUnpublishEpisode: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      id: string;
    };
  };
  /** GET /api/admin/people — Find people (cast and crew) */
  adminListPeople: {
    path: never;
    query: {
      q?: string;
      limit?: number;
    };
    body: never;
    response: {
      people: Array<Schemas["Person"]>;
    };
  };
  /** POST /api/admin/people — Add a person */
  adminCreatePerson: {
    path: never;
    query: never;
    body: {
      name: string;
      biography?: string;
    };
    response: Schemas["Person"];
  };
  /** PATCH /api/admin/people/{id} — Change a person */
  adminUpdatePerson: {
    path: {
      id: string;
    };
    query: never;
    body: {
      name?: string;
      biography?: string;
    };
    response: Schemas["Person"];
  };
  /** DELETE /api/admin/people/{id} — Delete a person nobody is credited as */
  adminDeletePerson: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/admin/genres — Add a genre */
  adminCreateGenre: {
    path: never;
    query: never;
    body: {
      name: string;
      slug?: string;
    };
    response: Schemas["Genre"];
  };
  /** PATCH /api/admin/genres/{id} — Rename a genre */
  adminUpdateGenre: {
    path: {
      id: string;
    };
    query: never;
    body: {
      name?: string;
      slug?: string;
    };
    response: Schemas["Genre"];
  };
  /** DELETE /api/admin/genres/{id} — Delete a genre no title has */
  adminDeleteGenre: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** PUT /api/admin/titles/{id}/artwork/{kind} — Upload a poster or backdrop (the body is the JPEG, PNG or WebP image) */
  adminPutArtwork: {
    path: {
      id: string;
      kind: "poster" | "backdrop";
    };
    query: never;
    body: never;
    response: {
      url: string;
    };
  };
  /** POST /api/admin/titles/import — Import titles from CSV (text/csv) or JSON (a list); up to 5000 rows */
  adminImportTitles: {
    path: never;
    query: never;
    body: never;
    response: {
      created: number;
      failed: number;
      rows: Array<{
        row: number;
        status: "created" | "error";
        id?: string;
        title?: string;
        errors?: Array<string>;
      }>;
    };
  };
  /** GET /api/admin/jobs — Transcode jobs, newest first, with their progress */
  adminListJobs: {
    path: never;
    query: {
      limit?: number;
      cursor?: string;
      status?: "queued" | "processing" | "ready" | "failed" | "cancelled" | "retiring" | "retired";
      itemId?: string;
    };
    body: never;
    response: {
      items: Array<Schemas["TranscodeJob"]>;
      nextCursor: string | null;
    };
  };
  /** GET /api/admin/jobs/events — Transcode jobs as they move, pushed (Server-Sent Events) rather than polled */
  adminJobEvents: {
    path: never;
    query: never;
    body: never;
    response: unknown;
  };
  /** GET /api/admin/jobs/{id} — One transcode job, with the SSIM and PSNR of each rendition it packaged */
  adminGetJob: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["TranscodeJobDetail"];
  };
  /** POST /api/admin/jobs/{id}/cancel — Cancel a queued or running transcode (ffmpeg is stopped; nothing it made is kept) */
  adminCancelJob: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["TranscodeJob"];
  };
  /** POST /api/admin/jobs/{id}/retry — Run a failed or cancelled transcode again from its stored source */
  adminRetryJob: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["TranscodeJob"];
  };
  /** GET /api/admin/settings — Admin-editable settings, each its stored value or its default */
  adminGetSettings: {
    path: never;
    query: never;
    body: never;
    response: Schemas["Settings"];
  };
  /** PATCH /api/admin/settings — Change settings (only those named); every instance applies them within moments */
  adminUpdateSettings: {
    path: never;
    query: never;
    body: {
      blockedWords?: Array<string>;
      signUpsOpen?: boolean;
      announcement?: Schemas["AnnouncementInput"] | null;
    };
    response: Schemas["Settings"];
  };
  /** GET /api/announcement — The banner every viewer app shows (an admin setting), or null */
  getAnnouncement: {
    path: never;
    query: never;
    body: never;
    response: {
      announcement: Schemas["Announcement"] | null;
    };
  };
  /** GET /api/titles/{id}/comments — Top-level comments on a title, newest or most replied first */
  listComments: {
    path: {
      id: string;
    };
    query: {
      limit?: number;
      cursor?: string;
      sort?: "newest" | "top";
    };
    body: never;
    response: {
      items: Array<Schemas["Comment"]>;
      nextCursor: string | null;
    };
  };
  /** POST /api/titles/{id}/comments — Comment on a title, or reply to a top-level comment (`parentId`) */
  postComment: {
    path: {
      id: string;
    };
    query: never;
    body: {
      body: string;
      parentId?: string;
    };
    response: Schemas["Comment"];
  };
  /** GET /api/comments/{id}/replies — Replies to a comment, newest first */
  listCommentReplies: {
    path: {
      id: string;
    };
    query: {
      limit?: number;
      cursor?: string;
    };
    body: never;
    response: {
      items: Array<Schemas["Comment"]>;
      nextCursor: string | null;
    };
  };
  /** PATCH /api/comments/{id} — Edit one’s own comment within COMMENT_EDIT_MINUTES of posting */
  editComment: {
    path: {
      id: string;
    };
    query: never;
    body: {
      body: string;
    };
    response: Schemas["Comment"];
  };
  /** DELETE /api/comments/{id} — Delete one’s own comment (its replies stay) */
  deleteComment: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/comments/{id}/report — Report a comment; COMMENT_HIDE_AFTER_REPORTS accounts’ reports hide it */
  reportComment: {
    path: {
      id: string;
    };
    query: never;
    body: {
      reason?: "spam" | "harassment" | "spoiler" | "inappropriate" | "other";
    } | null;
    response: void;
  };
  /** GET /api/admin/comments — The moderation queue: hidden and reported comments, newest first */
  adminListModerationComments: {
    path: never;
    query: {
      limit?: number;
      cursor?: string;
      status?: "all" | "hidden" | "reported";
    };
    body: never;
    response: {
      items: Array<Schemas["ModerationComment"]>;
      nextCursor: string | null;
    };
  };
  /** POST /api/admin/comments/{id}/restore — Show a comment hidden by reports again, dismissing its reports */
  adminRestoreComment: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/admin/comments/{id}/dismiss-reports — Dismiss a comment’s open reports (it stays shown or hidden as it is) */
  adminDismissCommentReports: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      dismissed: number;
    };
  };
  /** DELETE /api/admin/comments/{id} — Remove a comment (support, admin) */
  adminRemoveComment: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** PUT /api/admin/users/{id}/comment-ban — Stop an account from posting comments (idempotent) */
  adminBanCommenter: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** DELETE /api/admin/users/{id}/comment-ban — Let a banned account comment again */
  adminUnbanCommenter: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/titles/{id}/opinion — The active profile’s thumb and stars for a title */
  getTitleOpinion: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      titleId: string;
      reaction: ("up" | "down") | null;
      stars: number | null;
    };
  };
  /** PUT /api/titles/{id}/reaction — Thumbs up or down for a title, as the active profile (idempotent) */
  reactToTitle: {
    path: {
      id: string;
    };
    query: never;
    body: {
      reaction: "up" | "down";
    };
    response: {
      titleId: string;
      reaction: "up" | "down";
    };
  };
  /** DELETE /api/titles/{id}/reaction — Take back the active profile’s thumb (idempotent) */
  removeTitleReaction: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** PUT /api/titles/{id}/rating — Rate a title for the active profile (0.5–5 in half stars) */
  rateTitle: {
    path: {
      id: string;
    };
    query: never;
    body: {
      stars: number;
    };
    response: {
      titleId: string;
      stars: number;
      ratingCount: number;
      ratingAverage: number | null;
      ratingScore: number | null;
    };
  };
  /** DELETE /api/titles/{id}/rating — Remove the active profile’s rating of a title (idempotent) */
  removeTitleRating: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/me/list — My List of the active profile, in its order */
  getMyList: {
    path: never;
    query: never;
    body: never;
    response: {
      items: Array<Schemas["MyListItem"]>;
    };
  };
  /** PUT /api/me/list — Reorder My List: the named titles first, in this order */
  reorderMyList: {
    path: never;
    query: never;
    body: {
      titleIds: Array<string>;
    };
    response: void;
  };
  /** PUT /api/me/list/{id} — Add a title to the top of My List (idempotent) */
  addToMyList: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** DELETE /api/me/list/{id} — Remove a title from My List */
  removeFromMyList: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/me/continue-watching — In-progress items of the active profile, most recent first, one per title */
  getContinueWatching: {
    path: never;
    query: never;
    body: never;
    response: {
      items: Array<Schemas["ContinueWatchingItem"]>;
    };
  };
  /** GET /api/me/rows — The active profile’s own home rows (continue watching, My List) */
  getPersonalRows: {
    path: never;
    query: never;
    body: never;
    response: {
      continueWatching: Array<Schemas["ContinueWatchingItem"]>;
      myList: Array<Schemas["MyListItem"]>;
    };
  };
  /** GET /api/me/history — What the active profile watched, newest first */
  getWatchHistory: {
    path: never;
    query: {
      limit?: number;
      cursor?: string;
    };
    body: never;
    response: {
      items: Array<Schemas["HistoryItem"]>;
      nextCursor: string | null;
    };
  };
  /** DELETE /api/me/history — Clear the active profile’s whole history (and its resume positions) */
  clearWatchHistory: {
    path: never;
    query: never;
    body: never;
    response: void;
  };
  /** DELETE /api/me/history/{id} — Remove one movie or episode from the active profile’s history */
  removeFromWatchHistory: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/progress — Report a position without a stream (offline playback syncing back) */
  recordProgress: {
    path: never;
    query: never;
    body: {
      itemId: string;
      positionSeconds: number;
      durationSeconds?: number;
      at?: string;
    };
    response: {
      positionSeconds: number;
      finished: boolean;
    };
  };
  /** GET /api/recommendations — Rows for the active profile: top picks, because you watched, trending, genres — each item with its reason */
  getRecommendations: {
    path: never;
    query: never;
    body: never;
    response: {
      rows: Array<Schemas["RecommendationRow"]>;
    };
  };
  /** GET /api/titles/{id}/similar — Titles like this one that the active profile may watch */
  listSimilarTitles: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      titleId: string;
      items: Array<Schemas["RecommendedItem"]>;
    };
  };
  /** POST /api/recommendations/not-interested — Never recommend this title to the active profile again (takes effect at once) */
  markNotInterested: {
    path: never;
    query: never;
    body: {
      titleId: string;
    };
    response: void;
  };
  /** POST /api/recommendations/feedback — Record impressions and clicks of recommended titles, per row (for click-through) */
  recordRecommendationFeedback: {
    path: never;
    query: never;
    body: {
      events: Array<{
        titleId: string;
        row: "top_picks" | "because" | "trending" | "genre" | "popular" | "similar";
        kind: "impression" | "click";
      }>;
    };
    response: {
      recorded: number;
    };
  };
  /** PUT /api/admin/recommendations/rules — Pin a title to the front of a row kind, or exclude it from one (or from all: row "all") */
  adminSetRecommendationRule: {
    path: never;
    query: never;
    body: {
      titleId: string;
      row: "top_picks" | "because" | "trending" | "genre" | "popular" | "similar" | "all";
      action: "pin" | "exclude";
    };
    response: void;
  };
  /** DELETE /api/admin/recommendations/rules/{row}/{titleId} — Remove a pin or exclude */
  adminDeleteRecommendationRule: {
    path: {
      row: "top_picks" | "because" | "trending" | "genre" | "popular" | "similar" | "all";
      titleId: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/admin/recommendations/profiles/{profileId}/why/{titleId} — Why a title is (or is not) recommended to a profile: its rows, reasons, source title and rules */
  adminExplainRecommendation: {
    path: {
      profileId: string;
      titleId: string;
    };
    query: never;
    body: never;
    response: Schemas["RecommendationWhy"];
  };
  /** GET /api/admin/recommendations/click-through — Impressions, clicks and click-through per row kind over the last days */
  adminRecommendationClickThrough: {
    path: never;
    query: {
      days?: number;
    };
    body: never;
    response: {
      since: string;
      rows: Array<{
        row: string;
        impressions: number;
        clicks: number;
        clickThrough: number;
      }>;
    };
  };
  /** GET /api/plans — Every plan on offer: prices per currency and interval, and what it allows */
  listPlans: {
    path: never;
    query: never;
    body: never;
    response: {
      plans: Array<Schemas["Plan"]>;
    };
  };
  /** GET /api/offers — Coupons and promotions on offer now */
  listOffers: {
    path: never;
    query: never;
    body: never;
    response: {
      offers: Array<{
        id: string;
        code: string;
        name: string;
        percentOff: number | null;
        amountOffMinor: number | null;
        currency: string | null;
        duration: "once" | "repeating" | "forever";
        durationMonths: number | null;
        validFrom: string | null;
        validUntil: string | null;
        firstSubscriptionOnly: boolean;
        planIds: Array<string> | null;
      }>;
    };
  };
  /** POST /api/subscribe — Start checkout for a plan; answers where to pay (the sandbox pays locally) */
  subscribe: {
    path: never;
    query: never;
    body: {
      planId: string;
      interval: "month" | "year";
      currency?: string;
      provider: "stripe" | "razorpay" | "sandbox";
      couponCode?: string;
    };
    response: Schemas["Checkout"];
  };
  /** GET /api/subscription/status — The account’s plan, subscription state, period, trial, offer and entitlements */
  getSubscriptionStatus: {
    path: never;
    query: never;
    body: never;
    response: Schemas["SubscriptionStatus"];
  };
  /** POST /api/subscription/cancel — Cancel at the period end (default) or now */
  cancelSubscription: {
    path: never;
    query: never;
    body: {
      atPeriodEnd?: boolean;
    };
    response: void;
  };
  /** POST /api/subscription/resume — Keep a subscription that was set to end at the period end */
  resumeSubscription: {
    path: never;
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/subscription/plan — Change plan: an upgrade applies now, a downgrade at the period end */
  changeSubscriptionPlan: {
    path: never;
    query: never;
    body: {
      planId: string;
    };
    response: {
      effective: "now" | "period_end";
    };
  };
  /** GET /api/subscription/payments — Payment history (invoices), newest first */
  listSubscriptionPayments: {
    path: never;
    query: never;
    body: never;
    response: {
      payments: Array<{
        id: string;
        provider: string;
        status: "paid" | "failed" | "refunded" | "disputed";
        amountMinor: number;
        currency: string;
        periodStart: string | null;
        periodEnd: string | null;
        createdAt: string;
      }>;
    };
  };
  /** GET /api/sandbox/checkout/{checkoutId} — SANDBOX checkout page (no money moves): succeed, fail or stay pending */
  getSandboxCheckout: {
    path: {
      checkoutId: string;
    };
    query: never;
    body: never;
    response: unknown;
  };
  /** POST /api/sandbox/checkout/{checkoutId} — SANDBOX: pay (succeed), decline (fail) or leave the checkout pending */
  completeSandboxCheckout: {
    path: {
      checkoutId: string;
    };
    query: never;
    body: {
      outcome: "succeed" | "fail" | "pending";
    };
    response: {
      status: "succeeded" | "failed" | "pending";
      sandbox: true;
    };
  };
  /** GET /api/admin/plans — Every plan, retired ones included */
  adminListPlans: {
    path: never;
    query: never;
    body: never;
    response: {
      plans: Array<Schemas["Plan"]>;
    };
  };
  /** POST /api/admin/plans — Create a plan with its prices and limits */
  adminCreatePlan: {
    path: never;
    query: never;
    body: {
      name: string;
      tier: number;
      trialDays?: number;
      hasAds?: boolean;
      active?: boolean;
      prices?: Array<{
        currency: string;
        interval: "month" | "year";
        amountMinor: number;
      }>;
      maxHeight: number;
      maxStreams: number;
      maxDevices: number;
      maxDownloads: number;
      maxDownloadDevices: number;
      adPreroll?: boolean;
      adMidrollIntervalMinutes?: number;
      adPodMax?: number;
      id: string;
    };
    response: Schemas["Plan"];
  };
  /** PATCH /api/admin/plans/{planId} — Change a plan (prices, when given, replace the list) */
  adminUpdatePlan: {
    path: {
      planId: string;
    };
    query: never;
    body: {
      name?: string;
      tier?: number;
      trialDays?: number;
      hasAds?: boolean;
      active?: boolean;
      prices?: Array<{
        currency: string;
        interval: "month" | "year";
        amountMinor: number;
      }>;
      maxHeight?: number;
      maxStreams?: number;
      maxDevices?: number;
      maxDownloads?: number;
      maxDownloadDevices?: number;
      adPreroll?: boolean;
      adMidrollIntervalMinutes?: number;
      adPodMax?: number;
    };
    response: Schemas["Plan"];
  };
  /** DELETE /api/admin/plans/{planId} — Delete a plan nobody uses (retire others with active: false) */
  adminDeletePlan: {
    path: {
      planId: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/admin/coupons — Every coupon, with its redemption count */
  adminListCoupons: {
    path: never;
    query: never;
    body: never;
    response: {
      coupons: Array<Schemas["Coupon"]>;
    };
  };
  /** POST /api/admin/coupons — Create a coupon */
  adminCreateCoupon: {
    path: never;
    query: never;
    body: {
      code: string;
      name: string;
      percentOff?: number;
      amountOffMinor?: number;
      currency?: string;
      duration: "once" | "repeating" | "forever";
      durationMonths?: number;
      validFrom?: string;
      validUntil?: string;
      maxRedemptions?: number;
      perUserLimit?: number;
      firstSubscriptionOnly?: boolean;
      planIds?: Array<string>;
      active?: boolean;
    };
    response: Schemas["Coupon"];
  };
  /** PATCH /api/admin/coupons/{id} — Rename, extend, limit or retire a coupon */
  adminUpdateCoupon: {
    path: {
      id: string;
    };
    query: never;
    body: {
      name?: string;
      validUntil?: string | null;
      maxRedemptions?: number | null;
      active?: boolean;
    };
    response: Schemas["Coupon"];
  };
  /** DELETE /api/admin/coupons/{id} — Delete an unused coupon, or retire a used one */
  adminDeleteCoupon: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/admin/subscriptions — Search subscriptions by state, plan, provider, account or provider id, newest first */
  adminListSubscriptions: {
    path: never;
    query: {
      limit?: number;
      cursor?: string;
      status?: "incomplete" | "trialing" | "active" | "past_due" | "grace" | "canceled" | "expired";
      planId?: string;
      provider?: "stripe" | "razorpay" | "sandbox" | "complimentary";
      userId?: string;
      email?: string;
      providerRef?: string;
    };
    body: never;
    response: {
      items: Array<Schemas["AdminSubscription"]>;
      nextCursor: string | null;
    };
  };
  /** GET /api/admin/subscriptions/metrics — MRR per currency, subscribers by plan and 30-day churn */
  adminGetSubscriptionMetrics: {
    path: never;
    query: never;
    body: never;
    response: Schemas["SubscriptionMetrics"];
  };
  /** GET /api/admin/users/{id}/subscriptions — An account’s subscriptions, payments and provider events */
  adminGetAccountSubscriptions: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      subscriptions: Array<Schemas["AdminSubscription"]>;
      payments: Array<{
        id: string;
        provider: string;
        status: "paid" | "failed" | "refunded" | "disputed";
        amountMinor: number;
        currency: string;
        periodStart: string | null;
        periodEnd: string | null;
        createdAt: string;
        subscriptionId: string;
        providerPaymentId: string;
        refundedMinor: number;
      }>;
      events: Array<{
        provider: string;
        eventId: string;
        type: string;
        subscriptionId: string | null;
        receivedAt: string;
        appliedAt: string | null;
      }>;
    };
  };
  /** POST /api/admin/subscription-payments/{id}/refund — Refund a payment (or part of it) through its provider; audited */
  adminRefundPayment: {
    path: {
      id: string;
    };
    query: never;
    body: {
      amountMinor?: number;
      reason?: string;
    };
    response: {
      id: string;
      provider: string;
      status: "paid" | "failed" | "refunded" | "disputed";
      amountMinor: number;
      currency: string;
      periodStart: string | null;
      periodEnd: string | null;
      createdAt: string;
      subscriptionId: string;
      providerPaymentId: string;
      refundedMinor: number;
    };
  };
  /** POST /api/admin/users/{id}/complimentary-plan — Put an account on a plan for free (ends its running subscription); audited */
  adminGrantComplimentaryPlan: {
    path: {
      id: string;
    };
    query: never;
    body: {
      planId: string;
      until?: string;
    };
    response: void;
  };
  /** POST /api/webhooks/stripe — Stripe events: verified, recorded once, applied by a job */
  receiveStripeWebhook: {
    path: never;
    query: never;
    body: never;
    response: {
      received: boolean;
      duplicate: boolean;
    };
  };
  /** POST /api/webhooks/razorpay — Razorpay events: verified, recorded once, applied by a job */
  receiveRazorpayWebhook: {
    path: never;
    query: never;
    body: never;
    response: {
      received: boolean;
      duplicate: boolean;
    };
  };
  /** POST /api/playback/{itemId} — Start watching a movie, an episode or a live event as the active profile */
  startPlayback: {
    path: {
      itemId: string;
    };
    query: never;
    body: Schemas["StartPlaybackInput"] | null;
    response: Schemas["PlaybackSession"];
  };
  /** GET /api/playback/sessions — This account’s streams that count against the plan now */
  listStreams: {
    path: never;
    query: never;
    body: never;
    response: {
      items: Array<Schemas["Stream"]>;
    };
  };
  /** POST /api/playback/sessions/{id}/heartbeat — Keep a stream alive (at least every 30 s) and record the position */
  sendHeartbeat: {
    path: {
      id: string;
    };
    query: never;
    body: {
      positionSeconds: number;
    };
    response: {
      nextHeartbeatSeconds: number;
      positionSeconds: number;
    };
  };
  /** DELETE /api/playback/sessions/{id} — End a stream (this device’s, or another listed by a stream-limit refusal) */
  endStream: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/playback/sessions/{id}/master.m3u8 — The stream’s master playlist: only the renditions its plan allows */
  getMasterPlaylist: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: unknown;
  };
  /** GET /api/playback/sessions/{id}/media/{*} — A media playlist of the stream: keys through the key server, segments signed */
  getMediaPlaylist: {
    path: {
      id: string;
      "*": string;
    };
    query: never;
    body: never;
    response: unknown;
  };
  /** GET /api/keys/{keyId} — The key server: one AES-128 content key for a live stream whose plan covers it */
  getContentKey: {
    path: {
      keyId: string;
    };
    query: never;
    body: never;
    response: unknown;
  };
  /** GET /api/delivery/{*} — Signed delivery of a package file (segments, subtitles, thumbnails), with ranges */
  getDeliveryFile: {
    path: {
      "*": string;
    };
    query: never;
    body: never;
    response: unknown;
  };
  /** POST /api/downloads/devices — Register this device’s P-256 public key for downloads (the same key again: the same device) */
  registerDownloadDevice: {
    path: never;
    query: never;
    body: {
      name: string;
      publicKey: {
        kty: "EC";
        crv: "P-256";
        x: string;
        y: string;
        [key: string]: unknown;
      };
    };
    response: Schemas["DownloadDevice"];
  };
  /** GET /api/downloads/devices — This account’s devices that may hold downloads */
  listDownloadDevices: {
    path: never;
    query: never;
    body: never;
    response: {
      items: Array<Schemas["DownloadDevice"]>;
    };
  };
  /** DELETE /api/downloads/devices/{id} — Revoke a download device: its licences can no longer be renewed */
  revokeDownloadDevice: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/downloads — This account’s downloads, newest first (returned ones included) */
  listDownloads: {
    path: never;
    query: never;
    body: never;
    response: {
      items: Array<Schemas["Download"]>;
    };
  };
  /** POST /api/downloads/{itemId} — Download a movie or episode to a registered device */
  createDownload: {
    path: {
      itemId: string;
    };
    query: never;
    body: {
      deviceId: string;
      maxHeight?: number;
    };
    response: {
      download: Schemas["Download"];
      licence: Schemas["OfflineLicence"];
      package: Schemas["DownloadPackage"];
    };
  };
  /** DELETE /api/downloads/{id} — Return a download: frees its slot; its licence can no longer be renewed */
  returnDownload: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/downloads/{id}/renew — A fresh offline licence for a download */
  renewDownload: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      download: Schemas["Download"];
      licence: Schemas["OfflineLicence"];
    };
  };
  /** GET /api/admin/users/{id}/download-devices — An account's devices that may hold downloads, each with its downloads and licences */
  adminListUserDownloadDevices: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      devices: Array<Schemas["AdminDownloadDevice"]>;
    };
  };
  /** DELETE /api/admin/users/{id}/download-devices/{deviceId} — Revoke one of an account's download devices: its licences stop renewing and it takes no new downloads */
  adminRevokeUserDownloadDevice: {
    path: {
      id: string;
      deviceId: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** GET /api/ads/vmap — The VMAP 1.0 ad schedule of one of the caller’s playback streams (plans with ads only) */
  getAdSchedule: {
    path: never;
    query: {
      session: string;
      device?: "web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other";
    };
    body: never;
    response: unknown;
  };
  /** GET /api/ads/vast — A VAST 4.2 pod for one break of the caller’s stream (an empty VAST when nothing fills it) */
  getAdBreak: {
    path: never;
    query: {
      session: string;
      device?: "web" | "mobile" | "tablet" | "tv" | "desktop" | "console" | "other";
      break: number;
    };
    body: never;
    response: unknown;
  };
  /** GET /api/ads/beacons/{event} — A signed tracking beacon of an ad instance (impression, quartiles, click…); counted once */
  sendAdBeacon: {
    path: {
      event: "impression" | "start" | "firstQuartile" | "midpoint" | "thirdQuartile" | "complete" | "skip" | "click" | "error";
    };
    query: {
      i: string;
      c: string;
      x: number;
      s: string;
      code?: string;
    };
    body: never;
    response: unknown;
  };
  /** GET /api/ads/media/{id}/{file} — A rendition of an ad creative (progressive MP4), with ranges */
  getAdMediaFile: {
    path: {
      id: string;
      file: string;
    };
    query: never;
    body: never;
    response: unknown;
  };
  /** POST /api/admin/ads/advertisers — Add an advertiser */
  adminCreateAdvertiser: {
    path: never;
    query: never;
    body: {
      name: string;
    };
    response: Schemas["Advertiser"];
  };
  /** GET /api/admin/ads/advertisers — Every advertiser, by name */
  adminListAdvertisers: {
    path: never;
    query: never;
    body: never;
    response: {
      items: Array<Schemas["Advertiser"]>;
    };
  };
  /** POST /api/admin/ads/campaigns — Create a campaign: budget, flight, caps, priority, CPM, targeting */
  adminCreateCampaign: {
    path: never;
    query: never;
    body: {
      name: string;
      status?: "active" | "paused";
      priority: number;
      cpmMinor: number;
      budgetMinor: number;
      dailyImpressionCap?: number | null;
      frequencyCapPerDay?: number | null;
      competitiveCategory?: string | null;
      startsAt: string;
      endsAt: string;
      targeting?: Schemas["AdTargetingInput"];
      advertiserId: string;
    };
    response: Schemas["AdCampaign"];
  };
  /** GET /api/admin/ads/campaigns — Campaigns, newest first, with their creatives */
  adminListCampaigns: {
    path: never;
    query: never;
    body: never;
    response: {
      items: Array<Schemas["AdCampaign"]>;
    };
  };
  /** GET /api/admin/ads/campaigns/{id} — A campaign with its creatives */
  adminGetCampaign: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["AdCampaign"];
  };
  /** PATCH /api/admin/ads/campaigns/{id} — Change a campaign (pause, budget, targeting…); every instance serves the change at once */
  adminUpdateCampaign: {
    path: {
      id: string;
    };
    query: never;
    body: {
      name?: string;
      status?: "active" | "paused";
      priority?: number;
      cpmMinor?: number;
      budgetMinor?: number;
      dailyImpressionCap?: number | null;
      frequencyCapPerDay?: number | null;
      competitiveCategory?: string | null;
      startsAt?: string;
      endsAt?: string;
      targeting?: Schemas["AdTargetingInput"];
    };
    response: Schemas["AdCampaign"];
  };
  /** POST /api/admin/ads/campaigns/{id}/creatives — Add a creative to a campaign; its video is uploaded next (PUT …/video) */
  adminCreateCreative: {
    path: {
      id: string;
    };
    query: never;
    body: {
      name: string;
      clickThroughUrl: string;
      companionImageUrl?: string | null;
    };
    response: Schemas["AdCreative"];
  };
  /** PUT /api/admin/ads/creatives/{id}/video — Upload a creative’s video (raw body, video/* or application/octet-stream, ≤ 200 MB, ≤ 2 min) */
  adminUploadCreativeVideo: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["AdCreative"];
  };
  /** PUT /api/admin/ads/cue-points/{id} — Set the ad cue points of a movie or episode (seconds), replacing the old ones */
  adminSetCuePoints: {
    path: {
      id: string;
    };
    query: never;
    body: {
      seconds: Array<number>;
    };
    response: {
      itemId: string;
      seconds: Array<number>;
    };
  };
  /** GET /api/admin/ads/cue-points/{id} — The ad cue points of a movie or episode */
  adminGetCuePoints: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      itemId: string;
      seconds: Array<number>;
    };
  };
  /** POST /api/admin/ads/cue-points/{id}/detection — Propose cue points from the scene changes of a movie’s or episode’s video (a job) */
  adminDetectCuePoints: {
    path: {
      id: string;
    };
    query: never;
    body: {
      threshold?: number;
    };
    response: Schemas["AdCueDetection"];
  };
  /** GET /api/admin/ads/cue-points/{id}/detection — The last cue point detection of a movie or episode: its status and proposed cue points */
  adminGetCueDetection: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["AdCueDetection"];
  };
  /** GET /api/admin/ads/report — Delivery over UTC days: impressions, fill rate, completion rate, eCPM, per campaign */
  adminAdReport: {
    path: never;
    query: {
      from: string;
      to: string;
    };
    body: never;
    response: Schemas["AdReport"];
  };
  /** POST /api/analytics/events — Report a batch of quality-of-experience beacons for one of this account’s live streams */
  sendPlaybackBeacons: {
    path: never;
    query: never;
    body: {
      sessionId: string;
      events: Array<{
        id: string;
        at: string;
        device?: string;
        appVersion?: string;
        region?: string;
        type: "PlaybackStarted";
        startupMs: number;
        renditionHeight: number;
      } | {
        id: string;
        at: string;
        device?: string;
        appVersion?: string;
        region?: string;
        type: "PlaybackRebuffered";
        durationMs: number;
        renditionHeight?: number;
      } | {
        id: string;
        at: string;
        device?: string;
        appVersion?: string;
        region?: string;
        type: "BitrateSwitched";
        fromHeight: number;
        toHeight: number;
        bitrate: number;
      } | {
        id: string;
        at: string;
        device?: string;
        appVersion?: string;
        region?: string;
        type: "RenditionWatched";
        renditionHeight: number;
        seconds: number;
      } | {
        id: string;
        at: string;
        device?: string;
        appVersion?: string;
        region?: string;
        type: "PlaybackFailed";
        code: string;
        fatal: boolean;
        renditionHeight?: number;
      }>;
    };
    response: {
      accepted: number;
    };
  };
  /** GET /api/admin/analytics/titles — Plays, finishes, watch hours and completion rate per title per hour or day */
  adminAnalyticsTitles: {
    path: never;
    query: {
      from: string;
      to: string;
      granularity?: "hour" | "day";
      format?: "json" | "csv";
    };
    body: never;
    response: {
      items: Array<Schemas["AnalyticsTitleFigures"]>;
    } | string;
  };
  /** GET /api/admin/analytics/qoe — Start time (mean, p50, p95), rebuffering ratio and error rate per hour or day, by rendition, plan, region or device */
  adminAnalyticsQoe: {
    path: never;
    query: {
      from: string;
      to: string;
      granularity?: "hour" | "day";
      format?: "json" | "csv";
      by?: "none" | "rendition" | "plan" | "region" | "device";
    };
    body: never;
    response: {
      items: Array<Schemas["AnalyticsQoeFigures"]>;
    } | string;
  };
  /** GET /api/admin/analytics/active-profiles — Daily or monthly active profiles and accounts (group hour reads as day) */
  adminAnalyticsActiveProfiles: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/sign-ups — New accounts, sign-ins, new paying subscribers and conversion free → paid */
  adminAnalyticsSignUps: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/revenue — MRR and ARR at the end of each bucket by plan and currency, with plan switches and money collected and refunded */
  adminAnalyticsRevenue: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/churn — Paying subscribers at the start of each bucket, lost in it, and the churn rate */
  adminAnalyticsChurn: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/trials — Trials started and converted to paid, and the trial conversion */
  adminAnalyticsTrials: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/refunds — Refunds and refunded amounts by currency */
  adminAnalyticsRefunds: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/ads — Ad impressions, quartiles, completion, fill rate and revenue */
  adminAnalyticsAds: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/recommendations — Recommendation impressions, clicks and click-through per row */
  adminAnalyticsRecommendations: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/live — Per live event: joins, peak viewers, chat messages and messages per minute */
  adminAnalyticsLive: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/viewers — Viewers watching now (first row) and streams started per bucket and plan */
  adminAnalyticsViewers: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/peak-viewers — Peak concurrency: the most streams open at once in each bucket (sampled every minute) */
  adminAnalyticsPeakViewers: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/top-titles — The 50 titles with the most plays over the range, with watch hours and completion rate */
  adminAnalyticsTopTitles: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** GET /api/admin/analytics/top-genres — Genres by plays over the range (a title counts toward each of its genres), with watch hours */
  adminAnalyticsTopGenres: {
    path: never;
    query: {
      from: string;
      to: string;
      group?: "hour" | "day" | "month";
      format?: "json" | "csv";
    };
    body: never;
    response: Schemas["AnalyticsFigureRows"] | string;
  };
  /** POST /api/videos/upload — Upload a video (multipart/form-data: itemId first, then file; optional subtitles, each after its subtitleLanguage/subtitleLabel) */
  uploadVideo: {
    path: never;
    query: never;
    body: never;
    response: Schemas["TranscodeJob"];
  };
  /** POST /api/videos/tus — Start a resumable (tus 1.0) upload; Upload-Metadata carries itemId and filename */
  startTusUpload: {
    path: never;
    query: never;
    body: never;
    response: unknown;
  };
  /** PATCH /api/videos/tus/{id} — Send bytes of a resumable upload from Upload-Offset (application/offset+octet-stream) */
  sendTusUploadBytes: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["TranscodeJob"];
  };
  /** DELETE /api/videos/tus/{id} — Abandon a resumable upload (tus termination) */
  abandonTusUpload: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/admin/live-events — Schedule a live event; the answer carries its stream key, shown only this once */
  adminCreateLiveEvent: {
    path: never;
    query: never;
    body: {
      title: string;
      description?: string;
      artworkUrl?: string;
      scheduledStart: string;
      minPlanTier?: number;
      maturityLevel?: number;
      allowedRegions?: Array<string> | null;
    };
    response: {
      event: Schemas["LiveEvent"];
      streamKey: string;
    };
  };
  /** GET /api/admin/live-events — Live events, newest first, each with its viewer count now */
  adminListLiveEvents: {
    path: never;
    query: {
      limit?: number;
      cursor?: string;
    };
    body: never;
    response: {
      items: Array<Schemas["AdminLiveEvent"]>;
      nextCursor: string | null;
    };
  };
  /** GET /api/admin/live-events/{id} — A live event as admins see it */
  adminGetLiveEvent: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["LiveEvent"];
  };
  /** PATCH /api/admin/live-events/{id} — Change a live event’s title, schedule or gates */
  adminUpdateLiveEvent: {
    path: {
      id: string;
    };
    query: never;
    body: {
      title?: string;
      description?: string;
      artworkUrl?: string;
      scheduledStart?: string;
      minPlanTier?: number;
      maturityLevel?: number;
      allowedRegions?: Array<string> | null;
    };
    response: Schemas["LiveEvent"];
  };
  /** DELETE /api/admin/live-events/{id} — Delete a live event and its chat */
  adminDeleteLiveEvent: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: void;
  };
  /** POST /api/admin/live-events/{id}/stream-key — Replace the stream key (shown once); the old one is refused from now on */
  adminRotateLiveStreamKey: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      streamKey: string;
    };
  };
  /** GET /api/live — Live now and coming up: events on air, then those of the next days, soonest first */
  listLiveEvents: {
    path: never;
    query: {
      days?: number;
    };
    body: never;
    response: {
      items: Array<Schemas["LiveEvent"]>;
    };
  };
  /** GET /api/live/{id} — A live event the viewer may watch (region, maturity and plan as for titles) */
  getLiveEvent: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: Schemas["LiveEvent"];
  };
  /** POST /api/live/{id}/chat-ticket — A short-lived, single-use ticket to join the event’s chat over WebSocket (docs/LIVE-CHAT.md) */
  createLiveChatTicket: {
    path: {
      id: string;
    };
    query: never;
    body: never;
    response: {
      ticket: string;
      expiresAt: string;
    };
  };
  /** GET /healthz — Liveness: the process is up and serving */
  getLiveness: {
    path: never;
    query: never;
    body: never;
    response: {
      status: "ok";
    };
  };
  /** GET /readyz — Readiness: database, cache, storage and queue all answer */
  getReadiness: {
    path: never;
    query: never;
    body: never;
    response: {
      status: "ready" | "not_ready";
      checks: {
        [key: string]: {
          status: "up" | "down";
          ms: number;
          error?: string;
        };
      };
    };
  };
}

/** Method and path of every operation, for the client. */
export const operations = {
  register: ["POST", "/api/auth/register"],
  login: ["POST", "/api/auth/login"],
  refreshTokens: ["POST", "/api/auth/refresh"],
  logout: ["POST", "/api/auth/logout"],
  logoutAll: ["POST", "/api/auth/logout-all"],
  listSessions: ["GET", "/api/auth/sessions"],
  endSession: ["DELETE", "/api/auth/sessions/{id}"],
  changePassword: ["POST", "/api/auth/password"],
  verifyEmail: ["POST", "/api/auth/verify-email"],
  resendVerificationEmail: ["POST", "/api/auth/verify-email/resend"],
  requestPasswordReset: ["POST", "/api/auth/password-reset/request"],
  confirmPasswordReset: ["POST", "/api/auth/password-reset/confirm"],
  getJwks: ["GET", "/.well-known/jwks.json"],
  listOidcProviders: ["GET", "/api/auth/oidc/providers"],
  startOidcSignIn: ["GET", "/api/auth/oidc/{provider}/start"],
  completeOidcSignIn: ["GET", "/api/auth/oidc/{provider}/callback"],
  exchangeOidcCode: ["POST", "/api/auth/oidc/exchange"],
  getMe: ["GET", "/api/me"],
  updateMe: ["PATCH", "/api/me"],
  listSecurityEvents: ["GET", "/api/me/security-events"],
  listProfiles: ["GET", "/api/profiles"],
  createProfile: ["POST", "/api/profiles"],
  updateProfile: ["PATCH", "/api/profiles/{id}"],
  deleteProfile: ["DELETE", "/api/profiles/{id}"],
  selectProfile: ["POST", "/api/profiles/{id}/select"],
  adminListUsers: ["GET", "/api/admin/users"],
  adminUpdateUser: ["PATCH", "/api/admin/users/{id}"],
  adminListUserSessions: ["GET", "/api/admin/users/{id}/sessions"],
  adminRevokeUserSession: ["DELETE", "/api/admin/users/{id}/sessions/{sessionId}"],
  adminListAuditEntries: ["GET", "/api/admin/audit"],
  adminListApiKeys: ["GET", "/api/admin/api-keys"],
  adminCreateApiKey: ["POST", "/api/admin/api-keys"],
  adminRevokeApiKey: ["DELETE", "/api/admin/api-keys/{id}"],
  adminListMail: ["GET", "/api/admin/mail"],
  listTitles: ["GET", "/api/videos"],
  getTitle: ["GET", "/api/titles/{id}"],
  getHome: ["GET", "/api/home"],
  listGenres: ["GET", "/api/genres"],
  listMaturityRatings: ["GET", "/api/maturity-ratings"],
  adminCreateTitle: ["POST", "/api/admin/titles"],
  adminGetTitle: ["GET", "/api/admin/titles/{id}"],
  adminUpdateTitle: ["PATCH", "/api/admin/titles/{id}"],
  adminDeleteTitle: ["DELETE", "/api/admin/titles/{id}"],
  adminPublishTitle: ["POST", "/api/admin/titles/{id}/publish"],
  adminUnpublishTitle: ["POST", "/api/admin/titles/{id}/unpublish"],
  adminCreateSeason: ["POST", "/api/admin/titles/{id}/seasons"],
  adminUpdateSeason: ["PATCH", "/api/admin/seasons/{id}"],
  adminDeleteSeason: ["DELETE", "/api/admin/seasons/{id}"],
  adminCreateEpisode: ["POST", "/api/admin/seasons/{id}/episodes"],
  adminUpdateEpisode: ["PATCH", "/api/admin/episodes/{id}"],
  adminDeleteEpisode: ["DELETE", "/api/admin/episodes/{id}"],
  adminPublishEpisode: ["POST", "/api/admin/episodes/{id}/publish"],
  adminUnpublishEpisode: ["POST", "/api/admin/episodes/{id}/unpublish"],
  adminListPeople: ["GET", "/api/admin/people"],
  adminCreatePerson: ["POST", "/api/admin/people"],
  adminUpdatePerson: ["PATCH", "/api/admin/people/{id}"],
  adminDeletePerson: ["DELETE", "/api/admin/people/{id}"],
  adminCreateGenre: ["POST", "/api/admin/genres"],
  adminUpdateGenre: ["PATCH", "/api/admin/genres/{id}"],
  adminDeleteGenre: ["DELETE", "/api/admin/genres/{id}"],
  adminPutArtwork: ["PUT", "/api/admin/titles/{id}/artwork/{kind}"],
  adminImportTitles: ["POST", "/api/admin/titles/import"],
  adminListJobs: ["GET", "/api/admin/jobs"],
  adminJobEvents: ["GET", "/api/admin/jobs/events"],
  adminGetJob: ["GET", "/api/admin/jobs/{id}"],
  adminCancelJob: ["POST", "/api/admin/jobs/{id}/cancel"],
  adminRetryJob: ["POST", "/api/admin/jobs/{id}/retry"],
  adminGetSettings: ["GET", "/api/admin/settings"],
  adminUpdateSettings: ["PATCH", "/api/admin/settings"],
  getAnnouncement: ["GET", "/api/announcement"],
  listComments: ["GET", "/api/titles/{id}/comments"],
  postComment: ["POST", "/api/titles/{id}/comments"],
  listCommentReplies: ["GET", "/api/comments/{id}/replies"],
  editComment: ["PATCH", "/api/comments/{id}"],
  deleteComment: ["DELETE", "/api/comments/{id}"],
  reportComment: ["POST", "/api/comments/{id}/report"],
  adminListModerationComments: ["GET", "/api/admin/comments"],
  adminRestoreComment: ["POST", "/api/admin/comments/{id}/restore"],
  adminDismissCommentReports: ["POST", "/api/admin/comments/{id}/dismiss-reports"],
  adminRemoveComment: ["DELETE", "/api/admin/comments/{id}"],
  adminBanCommenter: ["PUT", "/api/admin/users/{id}/comment-ban"],
  adminUnbanCommenter: ["DELETE", "/api/admin/users/{id}/comment-ban"],
  getTitleOpinion: ["GET", "/api/titles/{id}/opinion"],
  reactToTitle: ["PUT", "/api/titles/{id}/reaction"],
  removeTitleReaction: ["DELETE", "/api/titles/{id}/reaction"],
  rateTitle: ["PUT", "/api/titles/{id}/rating"],
  removeTitleRating: ["DELETE", "/api/titles/{id}/rating"],
  getMyList: ["GET", "/api/me/list"],
  reorderMyList: ["PUT", "/api/me/list"],
  addToMyList: ["PUT", "/api/me/list/{id}"],
  removeFromMyList: ["DELETE", "/api/me/list/{id}"],
  getContinueWatching: ["GET", "/api/me/continue-watching"],
  getPersonalRows: ["GET", "/api/me/rows"],
  getWatchHistory: ["GET", "/api/me/history"],
  clearWatchHistory: ["DELETE", "/api/me/history"],
  removeFromWatchHistory: ["DELETE", "/api/me/history/{id}"],
  recordProgress: ["POST", "/api/progress"],
  getRecommendations: ["GET", "/api/recommendations"],
  listSimilarTitles: ["GET", "/api/titles/{id}/similar"],
  markNotInterested: ["POST", "/api/recommendations/not-interested"],
  recordRecommendationFeedback: ["POST", "/api/recommendations/feedback"],
  adminSetRecommendationRule: ["PUT", "/api/admin/recommendations/rules"],
  adminDeleteRecommendationRule: ["DELETE", "/api/admin/recommendations/rules/{row}/{titleId}"],
  adminExplainRecommendation: ["GET", "/api/admin/recommendations/profiles/{profileId}/why/{titleId}"],
  adminRecommendationClickThrough: ["GET", "/api/admin/recommendations/click-through"],
  listPlans: ["GET", "/api/plans"],
  listOffers: ["GET", "/api/offers"],
  subscribe: ["POST", "/api/subscribe"],
  getSubscriptionStatus: ["GET", "/api/subscription/status"],
  cancelSubscription: ["POST", "/api/subscription/cancel"],
  resumeSubscription: ["POST", "/api/subscription/resume"],
  changeSubscriptionPlan: ["POST", "/api/subscription/plan"],
  listSubscriptionPayments: ["GET", "/api/subscription/payments"],
  getSandboxCheckout: ["GET", "/api/sandbox/checkout/{checkoutId}"],
  completeSandboxCheckout: ["POST", "/api/sandbox/checkout/{checkoutId}"],
  adminListPlans: ["GET", "/api/admin/plans"],
  adminCreatePlan: ["POST", "/api/admin/plans"],
  adminUpdatePlan: ["PATCH", "/api/admin/plans/{planId}"],
  adminDeletePlan: ["DELETE", "/api/admin/plans/{planId}"],
  adminListCoupons: ["GET", "/api/admin/coupons"],
  adminCreateCoupon: ["POST", "/api/admin/coupons"],
  adminUpdateCoupon: ["PATCH", "/api/admin/coupons/{id}"],
  adminDeleteCoupon: ["DELETE", "/api/admin/coupons/{id}"],
  adminListSubscriptions: ["GET", "/api/admin/subscriptions"],
  adminGetSubscriptionMetrics: ["GET", "/api/admin/subscriptions/metrics"],
  adminGetAccountSubscriptions: ["GET", "/api/admin/users/{id}/subscriptions"],
  adminRefundPayment: ["POST", "/api/admin/subscription-payments/{id}/refund"],
  adminGrantComplimentaryPlan: ["POST", "/api/admin/users/{id}/complimentary-plan"],
  receiveStripeWebhook: ["POST", "/api/webhooks/stripe"],
  receiveRazorpayWebhook: ["POST", "/api/webhooks/razorpay"],
  startPlayback: ["POST", "/api/playback/{itemId}"],
  listStreams: ["GET", "/api/playback/sessions"],
  sendHeartbeat: ["POST", "/api/playback/sessions/{id}/heartbeat"],
  endStream: ["DELETE", "/api/playback/sessions/{id}"],
  getMasterPlaylist: ["GET", "/api/playback/sessions/{id}/master.m3u8"],
  getMediaPlaylist: ["GET", "/api/playback/sessions/{id}/media/{*}"],
  getContentKey: ["GET", "/api/keys/{keyId}"],
  getDeliveryFile: ["GET", "/api/delivery/{*}"],
  registerDownloadDevice: ["POST", "/api/downloads/devices"],
  listDownloadDevices: ["GET", "/api/downloads/devices"],
  revokeDownloadDevice: ["DELETE", "/api/downloads/devices/{id}"],
  listDownloads: ["GET", "/api/downloads"],
  createDownload: ["POST", "/api/downloads/{itemId}"],
  returnDownload: ["DELETE", "/api/downloads/{id}"],
  renewDownload: ["POST", "/api/downloads/{id}/renew"],
  adminListUserDownloadDevices: ["GET", "/api/admin/users/{id}/download-devices"],
  adminRevokeUserDownloadDevice: ["DELETE", "/api/admin/users/{id}/download-devices/{deviceId}"],
  getAdSchedule: ["GET", "/api/ads/vmap"],
  getAdBreak: ["GET", "/api/ads/vast"],
  sendAdBeacon: ["GET", "/api/ads/beacons/{event}"],
  getAdMediaFile: ["GET", "/api/ads/media/{id}/{file}"],
  adminCreateAdvertiser: ["POST", "/api/admin/ads/advertisers"],
  adminListAdvertisers: ["GET", "/api/admin/ads/advertisers"],
  adminCreateCampaign: ["POST", "/api/admin/ads/campaigns"],
  adminListCampaigns: ["GET", "/api/admin/ads/campaigns"],
  adminGetCampaign: ["GET", "/api/admin/ads/campaigns/{id}"],
  adminUpdateCampaign: ["PATCH", "/api/admin/ads/campaigns/{id}"],
  adminCreateCreative: ["POST", "/api/admin/ads/campaigns/{id}/creatives"],
  adminUploadCreativeVideo: ["PUT", "/api/admin/ads/creatives/{id}/video"],
  adminSetCuePoints: ["PUT", "/api/admin/ads/cue-points/{id}"],
  adminGetCuePoints: ["GET", "/api/admin/ads/cue-points/{id}"],
  adminDetectCuePoints: ["POST", "/api/admin/ads/cue-points/{id}/detection"],
  adminGetCueDetection: ["GET", "/api/admin/ads/cue-points/{id}/detection"],
  adminAdReport: ["GET", "/api/admin/ads/report"],
  sendPlaybackBeacons: ["POST", "/api/analytics/events"],
  adminAnalyticsTitles: ["GET", "/api/admin/analytics/titles"],
  adminAnalyticsQoe: ["GET", "/api/admin/analytics/qoe"],
  adminAnalyticsActiveProfiles: ["GET", "/api/admin/analytics/active-profiles"],
  adminAnalyticsSignUps: ["GET", "/api/admin/analytics/sign-ups"],
  adminAnalyticsRevenue: ["GET", "/api/admin/analytics/revenue"],
  adminAnalyticsChurn: ["GET", "/api/admin/analytics/churn"],
  adminAnalyticsTrials: ["GET", "/api/admin/analytics/trials"],
  adminAnalyticsRefunds: ["GET", "/api/admin/analytics/refunds"],
  adminAnalyticsAds: ["GET", "/api/admin/analytics/ads"],
  adminAnalyticsRecommendations: ["GET", "/api/admin/analytics/recommendations"],
  adminAnalyticsLive: ["GET", "/api/admin/analytics/live"],
  adminAnalyticsViewers: ["GET", "/api/admin/analytics/viewers"],
  adminAnalyticsPeakViewers: ["GET", "/api/admin/analytics/peak-viewers"],
  adminAnalyticsTopTitles: ["GET", "/api/admin/analytics/top-titles"],
  adminAnalyticsTopGenres: ["GET", "/api/admin/analytics/top-genres"],
  uploadVideo: ["POST", "/api/videos/upload"],
  startTusUpload: ["POST", "/api/videos/tus"],
  sendTusUploadBytes: ["PATCH", "/api/videos/tus/{id}"],
  abandonTusUpload: ["DELETE", "/api/videos/tus/{id}"],
  adminCreateLiveEvent: ["POST", "/api/admin/live-events"],
  adminListLiveEvents: ["GET", "/api/admin/live-events"],
  adminGetLiveEvent: ["GET", "/api/admin/live-events/{id}"],
  adminUpdateLiveEvent: ["PATCH", "/api/admin/live-events/{id}"],
  adminDeleteLiveEvent: ["DELETE", "/api/admin/live-events/{id}"],
  adminRotateLiveStreamKey: ["POST", "/api/admin/live-events/{id}/stream-key"],
  listLiveEvents: ["GET", "/api/live"],
  getLiveEvent: ["GET", "/api/live/{id}"],
  createLiveChatTicket: ["POST", "/api/live/{id}/chat-ticket"],
  getLiveness: ["GET", "/healthz"],
  getReadiness: ["GET", "/readyz"],
} as const satisfies Record<keyof Operations, readonly [string, string]>;
