namespace GammapyTools.Output;

/// <summary>
/// Progress of a campaign: <see cref="Done"/> of <see cref="Total"/> steps, and the run the last
/// finished step was about (null when a step is not about one run), so that a progress bar can say
/// which run the campaign is at.
/// </summary>
public readonly record struct CampaignProgress(int Done, int Total, long? ObsId = null);
